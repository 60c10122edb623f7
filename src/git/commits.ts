import type { CommitInfo, ScanOptions } from '../types/git'
import { firstLine } from '../utils/messages'
import { GitError, gitLayerError } from './error'
import { COMMIT_FORMAT, CommitParser } from './commit-parser'
import { git, spawnError, spawnGit } from './command'
import { assertOid } from './oid'

/**
 * The commits `revs` select (`main`, `a..b`, `^x`, several at once; newest first unless `reverse`) in ONE
 * `git log` process whose output is parsed as it streams. Changed paths are against the first parent (root
 * commits: against the empty tree), renames detected. No revs, or a range with no commits, gives `[]`; an
 * unknown rev is a `GitError`.
 */
export async function scanCommits(cwd: string, revs: string | string[], options: ScanOptions = {}): Promise<CommitInfo[]> {
  const list = typeof revs === 'string' ? [revs] : revs
  if (list.length === 0) return []
  return streamLog(cwd, ['log', ...logOptions(cwd, list, options), '--end-of-options', ...list, '--'], list)
}

/** The last `n` commits reachable from `ref`, newest first (oldest first with `reverse`). */
export function lastCommits(cwd: string, ref: string, n: number, options: Omit<ScanOptions, 'limit'> = {}): Promise<CommitInfo[]> {
  return scanCommits(cwd, ref, { ...options, limit: n })
}

/**
 * The commits `shas` (full ids), in the order given, with their changed paths: one `git log --no-walk` process
 * fed on stdin, so any number of them fits.
 */
export async function readCommits(cwd: string, shas: readonly string[], options: Pick<ScanOptions, 'files'> = {}): Promise<CommitInfo[]> {
  if (shas.length === 0) return []
  for (const sha of shas) assertOid(cwd, sha, 'commit to read')
  const args = ['log', ...logOptions(cwd, ['--stdin'], options), '--no-walk=unsorted', '--stdin', '--end-of-options', '--']
  return streamLog(cwd, args, [`${shas.length} commits`], `${shas.join('\n')}\n`)
}

export interface ListCommitsOptions {
  /** Commits reachable from these... */
  include: readonly string[]
  /** ...and not from these (a fork point, other branches). */
  exclude?: readonly string[]
  firstParent?: boolean
  /** At most this many, the newest ones. */
  limit?: number
}

/** The ids of the commits `include` minus `exclude` select, oldest first: one `git rev-list` fed on stdin. */
export async function listCommits(cwd: string, options: ListCommitsOptions): Promise<string[]> {
  const revs = [...options.include, ...(options.exclude ?? []).map(rev => `^${rev}`)]
  for (const rev of revs) {
    if (typeof rev !== 'string' || rev === '' || rev === '^' || /[\n\0]/.test(rev)) throw gitLayerError(cwd, `Invalid rev ${JSON.stringify(rev)} to list in ${cwd}: pass commit ids or ref names`)
  }
  const args = ['rev-list', '--reverse', ...(options.firstParent ? ['--first-parent'] : []), ...(options.limit === undefined ? [] : [`--max-count=${options.limit}`]), '--stdin']
  const out = await git(args, { cwd, input: `${revs.join('\n')}\n` })
  return out === '' ? [] : out.split('\n')
}

function streamLog(cwd: string, args: string[], revs: string[], input?: string): Promise<CommitInfo[]> {
  return new Promise((resolve, reject) => {
    const parser = new CommitParser()
    let stderr = ''
    const child = spawnGit(args, { cwd })
    child.stdin.on('error', () => {}) // a git that exits early is reported through 'close'
    child.stdin.end(input)
    child.stdout.on('data', (chunk: Buffer) => parser.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
    child.on('error', error => reject(spawnError(args, cwd, error)))
    child.on('close', (code) => {
      if (code !== 0) return reject(new GitError(args, code, stderr, cwd, `Cannot scan commits ${revs.join(' ')} in ${cwd}: ${firstLine(stderr) || `git log exited with ${code}`}`))
      try {
        resolve(parser.end())
      } catch (error) {
        reject(error)
      }
    })
  })
}

function logOptions(cwd: string, revs: string[], options: ScanOptions): string[] {
  for (const rev of revs) {
    if (rev === '--stdin') continue
    if (typeof rev !== 'string' || rev === '') throw gitLayerError(cwd, `Invalid rev ${JSON.stringify(rev)} to scan in ${cwd}: pass a branch, sha or range such as main or a..b`)
  }
  const { limit, reverse, firstParent, files = true } = options
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw gitLayerError(cwd, `Invalid scan limit ${JSON.stringify(limit)} in ${cwd}: pass a whole number of commits, 0 or more`)
  }
  // Pin everything user config could change in the output: colors, signatures, relative paths, rename detection.
  const args = ['-z', `--format=${COMMIT_FORMAT}`, '--no-color', '--no-show-signature']
  if (files) args.push('--name-status', '--find-renames', '--no-relative', '--root', '--diff-merges=first-parent')
  if (limit !== undefined) args.push(`--max-count=${limit}`)
  if (reverse) args.push('--reverse')
  if (firstParent) args.push('--first-parent')
  return args
}
