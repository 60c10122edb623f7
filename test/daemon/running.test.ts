import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { allReceipts, okRuns, startDaemon } from '../utils/daemon'
import { createProject, writeFiles } from '../utils/project'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'

const FAST = 'export default { daemon: { pollInterval: 300 }, locks: { ttl: 5000 } }\n'
const runsOf = (events: Record<string, any>[]) => events.filter(event => event.type === 'run')

/** FAST, plus a `daemon:tick` hook that appends when each tick started to `<repo>/.git/ticks`. */
function tickingConfig(repo: string): string {
  const log = JSON.stringify(join(repo, '.git', 'ticks'))
  return `import { appendFileSync } from 'node:fs'\nexport default { daemon: { pollInterval: 300 }, locks: { ttl: 5000 }, hooks: { 'daemon:tick': ({ at }) => appendFileSync(${log}, at.getTime() + '\\n') } }\n`
}

/** Wait until the daemon finished a tick that started after `since` (ms): it has looked at what came before. */
async function tickAfter(daemon: ReturnType<typeof startDaemon>, repo: string, since: number): Promise<void> {
  const log = join(repo, '.git', 'ticks')
  await daemon.until(() => existsSync(log) && readFileSync(log, 'utf8').split('\n').some(line => Number(line) > since))
}

describe('a running daemon', () => {
  it('reacts to new commits, survives gc and pack-refs, reports status, log, locks and worktrees', async () => {
    const repo = createProject({ 'gitvan.config.mjs': FAST, 'jobs/all.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n' })
    const daemon = startDaemon(repo)
    await daemon.until(events => runsOf(events).length === 2)
    const a = commitFiles(repo, { a: '1' }, 'a')
    await daemon.until(events => runsOf(events).some(run => run.sha === a))
    sh(repo, 'pack-refs', '--all')
    const b = commitFiles(repo, { b: '1' }, 'b')
    await daemon.until(events => runsOf(events).some(run => run.sha === b))
    sh(repo, 'gc', '--quiet')
    const c = commitFiles(repo, { c: '1' }, 'c')
    await daemon.until(events => runsOf(events).some(run => run.sha === c))

    const status = JSON.parse((await gitvan(['daemon', 'status', '--json'], { cwd: repo })).stdout)
    expect(status).toMatchObject({ started: true, branches: [{ branch: 'main', tip: c, settled: c, behind: 0 }] })
    expect(status.holders.length).toBeLessThanOrEqual(1)
    expect(await daemon.stop()).toBe(0)

    expect(okRuns(repo)).toHaveLength(5)
    const log = JSON.parse((await gitvan(['log', 'all', '--limit', '2', '--json'], { cwd: repo })).stdout)
    expect(log.map((r: any) => r.sha)).toEqual([c, b])
    const bySha = JSON.parse((await gitvan(['log', '--sha', 'HEAD~1', '--json'], { cwd: repo })).stdout)
    expect(bySha.map((r: any) => r.sha)).toEqual([b])
    expect((await gitvan(['locks'], { cwd: repo })).stdout.trim()).toBe('No leases held.')
    const worktrees = JSON.parse((await gitvan(['worktree', 'list', '--json'], { cwd: repo })).stdout)
    expect(worktrees).toEqual([{ id: 'main', path: repo, branch: 'main', head: c, lastProcessed: c }])
  })

  it('a job that hangs does not hold up other jobs on new commits', async () => {
    const repo = createProject({
      'gitvan.config.mjs': FAST,
      // Runs until the test writes `release`: no race between its length and the test's waits.
      'jobs/slow.ts': "import { existsSync } from 'node:fs'\nexport default defineJob({ on: { commit: { message: '^slow' } }, timeout: 60000, async run({ ctx }) { while (!existsSync(ctx.root + '/release')) await new Promise(resolve => setTimeout(resolve, 50)) } })\n",
      'jobs/fast.ts': "export default defineJob({ on: { commit: { message: '^fast' } }, run: () => ({ ok: true }) })\n",
    })
    const slow = commitFiles(repo, { s: '1' }, 'slow one')
    // Leases are per bucket (the sha's first hex digit): fast commits must land in another bucket than the slow one.
    const fastCommit = (name: string) => {
      let sha = commitFiles(repo, { [name]: '0' }, `fast ${name}`)
      for (let i = 1; sha[0] === slow[0]; i++) sha = commitFiles(repo, { [name]: String(i) }, `fast ${name} ${i}`)
      return sha
    }
    const sameBatch = fastCommit('a')
    const daemon = startDaemon(repo)
    await daemon.until(events => runsOf(events).some(run => run.sha === sameBatch && run.job === 'fast'))
    const later = fastCommit('b')
    await daemon.until(events => runsOf(events).some(run => run.sha === later && run.job === 'fast'))
    expect(runsOf(daemon.events).some(run => run.job === 'slow')).toBe(false)
    writeFileSync(join(repo, 'release'), '')
    await daemon.until(events => runsOf(events).some(run => run.job === 'slow'))
    expect(await daemon.stop()).toBe(0)
    expect(okRuns(repo)).toContain(`slow@${slow.slice(0, 7)}`)
  })

  it('an empty repository that gets its first commit', async () => {
    const repo = createRepo({ commit: false })
    writeFiles(repo, { 'gitvan.config.mjs': tickingConfig(repo), 'jobs/all.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n' })
    const daemon = startDaemon(repo)
    // A whole tick over the repository without a commit, and the daemon still there.
    await tickAfter(daemon, repo, 0)
    expect(daemon.child.exitCode).toBeNull()
    const first = commitFiles(repo, {}, 'first commit')
    await daemon.until(events => runsOf(events).some(run => run.sha === first))
    expect(await daemon.stop()).toBe(0)
  })

  it('serves linked worktrees on other branches with --worktrees all, in their own directory', async () => {
    const repo = createProject({
      'gitvan.config.mjs': FAST,
      'templates/made.njk': 'made on {{ git.branch }} in {{ git.root }}',
      'jobs/where.ts': "export default defineJob({ on: { commit: { branches: 'feature' } }, steps: [{ exec: 'cli', cmd: 'sh', args: ['-c', 'pwd > where.txt'] }, { exec: 'tmpl', template: 'made.njk', out: 'made.md' }] })\n",
    })
    const wt = join(tempDir(), 'feature-wt')
    sh(repo, 'worktree', 'add', '-q', '-b', 'feature', wt)
    writeFiles(repo, { 'gitvan.config.mjs': tickingConfig(repo) })
    const current = startDaemon(repo, ['--worktrees', 'current'])
    const skipped = commitFiles(wt, { f: '1' }, 'on feature, before')
    await tickAfter(current, repo, Date.now())
    expect(await current.stop()).toBe(0)
    expect(runsOf(current.events).some(run => run.sha === skipped)).toBe(false)

    const all = startDaemon(repo, ['--worktrees', 'all'])
    const served = commitFiles(wt, { f: '2' }, 'on feature')
    await all.until(events => runsOf(events).some(run => run.sha === served))
    expect(await all.stop()).toBe(0)
    const receipt = allReceipts(repo).find(r => r.sha === served)!
    expect(receipt).toMatchObject({ ok: true, worktree: 'feature-wt', trigger: { type: 'commit', branch: 'feature' } })
    expect(readFileSync(join(wt, 'where.txt'), 'utf8').trim()).toBe(wt)
    expect(readFileSync(join(wt, 'made.md'), 'utf8')).toBe(`made on feature in ${wt}`)
    expect(existsSync(join(repo, 'made.md'))).toBe(false)
    expect(JSON.parse((await gitvan(['log', 'where', '--sha', served, '--json'], { cwd: repo })).stdout)).toHaveLength(1)
  })

  it('runs a cron job on its slots, never the same slot twice across a restart', async () => {
    const repo = createProject({
      'gitvan.config.mjs': FAST,
      'jobs/tick.ts': "export default defineJob({ meta: { schedule: '* * * * * *' }, run: ({ trigger }) => ({ ok: true, stdout: trigger.slot }) })\n",
    })
    const first = startDaemon(repo)
    await first.until(events => runsOf(events).length >= 2)
    expect(await first.stop()).toBe(0)
    const second = startDaemon(repo)
    await second.until(events => runsOf(events).length >= 2)
    expect(await second.stop()).toBe(0)
    const slots = allReceipts(repo).filter(r => r.job === 'tick').map(r => r.trigger.slot)
    expect(slots.length).toBeGreaterThanOrEqual(4)
    expect(new Set(slots).size).toBe(slots.length)
    expect(slots.every(slot => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(slot))).toBe(true)
  })
})
