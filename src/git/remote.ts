import { setTimeout as sleep } from 'node:timers/promises'
import type { RefEntry, RemoteUpdate } from '../types/git'
import { backoff } from '../utils/backoff'
import { firstLine } from '../utils/messages'
import { runGit } from './command'
import { GitError } from './error'
import { assertRefName } from './ref-name'

/** Limits of every network call: each git process gets `timeout` ms, and a failure to reach the remote is retried. */
export interface RemoteCallOptions {
  /** Milliseconds one fetch or push may take before it is killed and tried again (default 10000). */
  timeout?: number
  /** Attempts in all while the remote cannot be reached (default 3), with a jittered pause doubling from 200 ms. */
  attempts?: number
}

/**
 * The remote could not be reached (refused, timed out, hung up), after the retries: nothing is known to have
 * changed there. Callers that can wait (publishing, renewing) keep what they have and try again later.
 */
export class RemoteUnreachableError extends GitError {
  override name = 'RemoteUnreachableError'
}

const DEFAULTS = { timeout: 10_000, attempts: 3 }

// What git says when the other side is not there or went away (LC_ALL=C), as opposed to a refusal or a bad name.
const UNREACHABLE = /unable to connect|Connection refused|Couldn't connect|Failed to connect|timed out|Could not resolve host|hung up|early EOF|Connection reset|Broken pipe|returned error: 5\d\d|RPC failed|unexpected disconnect|protocol error: bad line length|expected flush after ref listing|the remote end hung up/i

/**
 * Compare-and-swap refs on `remote` in one `git push --porcelain --force-with-lease=<ref>:<expected>`: each update
 * lands only if the remote ref is at `expected` (`null`: absent). With `atomic`, all land or none (`--atomic`);
 * else each on its own. Returns, per update, whether the remote holds its value now: a ref already at the value
 * counts (git reports it "up to date" without checking the expectation), so values must be unique per writer,
 * which also makes a push retried after a timeout that had in fact landed report success. Throws
 * `RemoteUnreachableError` when the remote cannot be reached, a `GitError` for anything else.
 */
export async function pushRefs(cwd: string, remote: string, updates: RemoteUpdate[], options: RemoteCallOptions & { atomic?: boolean } = {}): Promise<boolean[]> {
  if (updates.length === 0) return []
  for (const update of updates) assertRefName(cwd, update.ref)
  const args = ['push', '--porcelain', '--no-verify', ...(options.atomic && updates.length > 1 ? ['--atomic'] : [])]
  for (const { ref, expected } of updates) if (expected !== undefined) args.push(`--force-with-lease=${ref}:${expected ?? ''}`)
  args.push('--end-of-options', remote, ...updates.map(({ ref, value, expected }) => `${expected === undefined ? '+' : ''}${value ?? ''}:${ref}`))
  const { stdout, stderr, exitCode } = await remoteCall(cwd, args, options)
  const results = parsePorcelain(stdout)
  const landed = updates.map(({ ref }) => results.get(ref))
  if (exitCode !== 0 && landed.every(status => status === undefined)) throw remoteFailure(cwd, remote, args, exitCode, stderr)
  return landed.map(status => status !== undefined && status !== '!')
}

/**
 * Fetch `refspecs` (`+src:dst`, globs allowed) from `remote` into the local repository; with `prune`, local refs
 * under a glob's destination that the remote no longer has are deleted. A refspec whose source matches nothing
 * is fine when it is a glob. Bounded and retried like `pushRefs`.
 */
export async function fetchRefs(cwd: string, remote: string, refspecs: string[], options: RemoteCallOptions & { prune?: boolean; tags?: boolean } = {}): Promise<void> {
  if (refspecs.length === 0 && !options.tags) return
  const args = ['fetch', '--quiet', '--no-write-fetch-head', '--no-auto-gc', '--no-recurse-submodules', options.tags ? '--tags' : '--no-tags', ...(options.prune ? ['--prune'] : []), '--force', '--end-of-options', remote, ...refspecs]
  const { stderr, exitCode } = await remoteCall(cwd, args, options)
  if (exitCode !== 0) throw remoteFailure(cwd, remote, args, exitCode, stderr)
}

/** The refs of `remote` matching `patterns` (as `git ls-remote` matches them: the tail of the name), in one call. */
export async function listRemoteRefs(cwd: string, remote: string, patterns: string[], options: RemoteCallOptions = {}): Promise<RefEntry[]> {
  const args = ['ls-remote', '--end-of-options', remote, ...patterns]
  const { stdout, stderr, exitCode } = await remoteCall(cwd, args, options)
  if (exitCode !== 0) throw remoteFailure(cwd, remote, args, exitCode, stderr)
  return stdout.split('\n').filter(Boolean).map((line) => {
    const [sha, ref] = line.split('\t') as [string, string]
    return { sha, ref }
  })
}

/** One network git command: killed after the timeout, run again with backoff while the remote cannot be reached. */
async function remoteCall(cwd: string, args: string[], options: RemoteCallOptions) {
  const { timeout, attempts } = { ...DEFAULTS, ...options }
  for (let attempt = 1; ; attempt++) {
    const result = await runGit(args, { cwd, timeout, okCodes: [0, 1, 128] })
      .catch((error: unknown) => {
        // Killed by the timeout (exit code null): the remote did not answer in time.
        if (error instanceof GitError && error.exitCode === null) return { stdout: '', stderr: `timed out after ${timeout} ms`, exitCode: -1 }
        throw error
      })
    const reachedRemote = result.exitCode === 0 || !isUnreachable(result.stderr)
    if (reachedRemote || attempt >= attempts) return result
    await sleep(backoff(attempt - 1, { base: 200, max: 2000 }))
  }
}

function isUnreachable(stderr: string): boolean {
  return UNREACHABLE.test(stderr)
}

function remoteFailure(cwd: string, remote: string, args: string[], exitCode: number, stderr: string): GitError {
  const reason = firstLine(stderr.split('\n').filter(line => !/^(hint|To |Done)/.test(line)).join('\n')) || 'no output'
  if (isUnreachable(stderr)) return new RemoteUnreachableError(args, exitCode, stderr, cwd, `Remote ${remote} is unreachable from ${cwd}: ${reason}`)
  return new GitError(args, exitCode, stderr, cwd, `git ${args[0]} to ${remote} failed in ${cwd}: ${reason}; check \`git remote -v\` and that the remote accepts pushes`)
}

/**
 * `git push --porcelain` output: `<flag>\t<from>:<to>\t<summary>` per ref, `!` for a refusal, `=` for a ref
 * already at the value, other flags for an update that landed.
 */
function parsePorcelain(stdout: string): Map<string, string> {
  const results = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const match = /^([ +*=!-])\t[^\t]*:([^\t:]+)\t/.exec(line)
    if (match) results.set(match[2]!, match[1]!)
  }
  return results
}

/**
 * Add `refspecs` to the fetch refspecs of the configured remote `remote` (`remote.<name>.fetch`) when missing, so a
 * plain `git fetch` brings them too. Returns those added. Throws a one-line error when there is no such remote.
 */
export async function addFetchRefspecs(cwd: string, remote: string, refspecs: string[]): Promise<string[]> {
  const { exitCode } = await runGit(['remote', 'get-url', '--end-of-options', remote], { cwd, okCodes: [0, 2, 128] })
  if (exitCode !== 0) throw new GitError(['remote', 'get-url', remote], exitCode, '', cwd, `No remote "${remote}" in ${cwd}: add it first (git remote add ${remote} <url>) or name one of \`git remote\``)
  const { stdout } = await runGit(['config', '--get-all', `remote.${remote}.fetch`], { cwd, okCodes: [0, 1] })
  const present = new Set(stdout.split('\n').filter(Boolean))
  const missing = refspecs.filter(refspec => !present.has(refspec))
  for (const refspec of missing) await runGit(['config', '--add', `remote.${remote}.fetch`, refspec], { cwd })
  return missing
}

/** The remote the current branch pulls from, else `origin` when it exists; `null` when there is neither. */
export async function upstreamRemote(cwd: string, branch: string | null): Promise<string | null> {
  const configured = branch ? (await runGit(['config', '--get', `branch.${branch}.remote`], { cwd, okCodes: [0, 1] })).stdout.trim() : ''
  if (configured && configured !== '.') return configured
  return (await runGit(['remote', 'get-url', 'origin'], { cwd, okCodes: [0, 2, 128] })).exitCode === 0 ? 'origin' : null
}
