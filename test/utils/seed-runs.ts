import { execFileSync } from 'node:child_process'
import { testEnv } from './files'

// No test-runner imports here: bench files and the screenshot script use this too.

export interface SeedOptions {
  /** Commits made on `main`, oldest first. */
  commits: number
  /** Jobs run on every commit. */
  jobs: string[]
  /** Start time of the first commit's runs (ms since the epoch); each later commit's come a minute after. */
  start?: number
}

/**
 * Many real commits and their receipts, written in one `git fast-import`: what months of a daemon's work leave
 * in a repository, made in a second. Every 7th run of the second job fails (with a second, successful attempt on
 * every other of those), every 50th commit is also tagged with a run on the tag.
 */
export function seedRuns(repo: string, options: SeedOptions): { runs: number; shas: string[] } {
  const start = options.start ?? Date.parse('2026-11-01T00:00:00Z')
  const commits: string[] = []
  for (let i = 1; i <= options.commits; i++) {
    const time = Math.floor((start + i * 60_000) / 1000)
    const message = `${i % 3 === 0 ? 'fix' : 'feat'}(core): change number ${i}\n`
    const file = `change ${i}\n`
    commits.push('commit refs/heads/main', `mark :${i}`, `author Seed <seed@example.com> ${time} +0000`, `committer Seed <seed@example.com> ${time} +0000`, `data ${Buffer.byteLength(message)}`, message)
    if (i === 1) commits.push(...parentOf(repo))
    commits.push(`M 100644 inline src/file${i % 20}.txt`, `data ${Buffer.byteLength(file)}`, file)
  }
  fastImport(repo, commits)
  const shas = git(repo, ['rev-list', '--reverse', 'main']).split('\n').slice(-options.commits)

  const notes: string[] = []
  let runs = 0
  shas.forEach((sha, index) => {
    const i = index + 1
    const receipts = options.jobs.flatMap((job, j) => {
      const failed = j === 1 && i % 7 === 0
      const at = start + i * 60_000 + j * 1000
      const first = receipt(job, sha, i, at, failed ? 'error' : 'ok')
      return failed && i % 2 === 0 ? [first, receipt(job, sha, i, at + 30_000, 'ok')] : [first]
    })
    if (i % 50 === 0) receipts.push(receipt(options.jobs[0]!, sha, i, start + i * 60_000 + 40_000, 'ok', `v1.${i / 50}.0`))
    runs += receipts.length
    const text = receipts.join('')
    notes.push(`N inline ${sha}`, `data ${Buffer.byteLength(text)}`, text)
  })
  const time = Math.floor((start + (options.commits + 1) * 60_000) / 1000)
  const ref = 'refs/notes/gitvan/results'
  const tip = git(repo, ['rev-parse', '--verify', '--quiet', ref], [0, 1])
  fastImport(repo, [`commit ${ref}`, `committer GitVan <gitvan@localhost> ${time} +0000`, 'data 16', 'GitVan receipts', ...(tip ? [`from ${tip}`] : []), ...notes])
  for (let i = 50; i <= options.commits; i += 50) git(repo, ['tag', `v1.${i / 50}.0`, shas[i - 1]!])
  return { runs, shas }
}

function receipt(job: string, sha: string, i: number, at: number, status: 'ok' | 'error', tag?: string): string {
  const durationMs = 200 + ((i * 37) % 900)
  const trigger = tag ? { type: 'tag', tag, sha } : { type: 'commit', sha, branch: 'main' }
  const error = status === 'error' ? { error: `step 2:cli failed: "vitest run" exited with code 1 (run ${i})` } : {}
  return `${JSON.stringify({ v: 1, job, sha, ok: status === 'ok', status, trigger, startedAt: new Date(at).toISOString(), finishedAt: new Date(at + durationMs).toISOString(), durationMs, worktree: 'main', host: 'seed', pid: 1000 + i, ...error })}\n`
}

/** `from <HEAD>` when main already has commits: the seeded ones go on top. */
function parentOf(repo: string): string[] {
  const head = git(repo, ['rev-parse', '--verify', '--quiet', 'refs/heads/main'], [0, 1])
  return head ? [`from ${head}`] : []
}

function fastImport(repo: string, lines: string[]): void {
  execFileSync('git', ['fast-import', '--quiet', '--done'], { cwd: repo, env: testEnv, input: `${lines.join('\n')}\ndone\n`, maxBuffer: 1 << 30 })
}

function git(repo: string, args: string[], okCodes = [0]): string {
  try {
    return execFileSync('git', args, { cwd: repo, env: testEnv, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch (error) {
    if (okCodes.includes((error as { status: number }).status)) return ''
    throw error
  }
}
