import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { startDaemon as startCli } from '../utils/daemon'
import { runLines, runOnce } from './fixtures/in-process'
import { createProject } from '../utils/project'
import { commitFiles, tempDir } from '../utils/repo'
import { killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import type { DaemonProcess } from './fixtures/daemon'
import { git, importCommits, initRepo, readAllReceipts } from './fixtures/repo'

// Job code that would take a daemon down (issue 10, case 2 and 4) ends its own run only: the daemon runs job code
// in job workers. Each case has a healthy job beside the bad one, whose receipts must all be there, through
// `daemon --once` and through a long-running daemon that keeps serving new commits afterwards.

afterEach(killDaemons)

const HEALTHY = 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n'
/** What every bad run writes first: kept in its log when its worker can still send it. */
const SAY = 'console.log(\'bad starts\');'
/** Lets a bad run's crash happen while the run still goes on (its worker is the one it takes down). */
const HOLD = 'await new Promise(resolve => setTimeout(resolve, 60_000))'

interface Case {
  name: string
  job: string
  config?: Record<string, unknown>
  status: 'error' | 'timeout'
  error: string
  /** Whether the worker could still send what the run wrote (not when it was stopped, or ran out of memory). */
  logged: boolean
}

const CASES: Case[] = [
  {
    name: 'an unhandled promise rejection',
    job: `export default defineJob({ on: { commit: true }, async run() { ${SAY} Promise.reject(new Error('boom')); ${HOLD} } })\n`,
    status: 'error',
    error: 'job bad crashed its worker with an unhandled promise rejection: boom (await or catch every promise the job starts)',
    logged: true,
  },
  {
    name: 'an exception thrown in a timer',
    job: `export default defineJob({ on: { commit: true }, async run() { ${SAY} setTimeout(() => { throw new Error('boom') }, 5); ${HOLD} } })\n`,
    status: 'error',
    error: 'job bad crashed its worker with an uncaught exception: boom (thrown in a timer or event handler: catch it there)',
    logged: true,
  },
  {
    name: 'process.exit(2)',
    job: `export default defineJob({ on: { commit: true }, run() { ${SAY} process.exit(2) } })\n`,
    status: 'error',
    error: 'job bad called process.exit(2): return a result or throw instead',
    logged: true,
  },
  {
    name: 'a synchronous loop past timeout: 1000',
    job: `export default defineJob({ on: { commit: true }, timeout: 1000, run() { ${SAY} for (;;) {} } })\n`,
    status: 'timeout',
    error: 'job bad timed out after 1000 ms, its code keeping its worker busy (a synchronous loop?): the worker was stopped',
    logged: false,
  },
  {
    name: 'a memory blow-up past jobs.memoryLimit',
    job: `export default defineJob({ on: { commit: true }, run() { ${SAY} const kept = []; for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => ({ i }))) } })\n`,
    config: { jobs: { memoryLimit: 64 } },
    status: 'error',
    error: 'job bad ran out of memory (limit 64 MB): use less, or raise jobs.memoryLimit',
    logged: false,
  },
]

/**
 * A config whose `daemon:close` hook writes why the daemon closed (a daemon that crashed never calls it), and whose
 * `job:after` hook logs, for every run, where it was called: the job worker's app or the daemon's.
 */
function config(dir: string, extra: Record<string, unknown> = {}): string {
  return [
    `import { appendFileSync, writeFileSync } from 'node:fs'`,
    `import { isMainThread } from 'node:worker_threads'`,
    `export default { ...${JSON.stringify({ daemon: { pollInterval: 100 }, ...extra })}, hooks: {`,
    `  'daemon:close': info => writeFileSync(${JSON.stringify(join(dir, 'closed'))}, info.reason),`,
    `  'job:after': (event, result) => appendFileSync(${JSON.stringify(join(dir, 'after.log'))}, event.id + ' ' + event.ctx.head + ' ' + result.ok + ' ' + (isMainThread ? 'daemon' : 'worker') + '\\n'),`,
    '} }',
    '',
  ].join('\n')
}

const receiptLines = (repo: string) => readAllReceipts(repo).map(receipt => `${receipt.job} ${receipt.sha} ${receipt.status}${receipt.error ? `: ${receipt.error}` : ''}`).sort()
const expectedLines = (commits: string[], bad: Case) => commits.flatMap(sha => [`bad ${sha} ${bad.status}: ${bad.error}`, `good ${sha} ok`]).sort()
const settled = (repo: string, commits: string[]) => () => readAllReceipts(repo).filter(receipt => commits.includes(receipt.sha)).length === commits.length * 2

describe('job code that would take the daemon down ends its own run only', () => {
  it.each(CASES)('$name', async (bad) => {
    const dir = tempDir()
    const repo = initRepo(tempDir(), { 'gitvan.config.mjs': config(dir, bad.config), 'jobs/good.ts': HEALTHY, 'jobs/bad.ts': bad.job })
    const first = importCommits(repo, 3)

    const once = startDaemon(repo, { args: ['--once', '--lookback', '10', '--json'] })
    const exit = await waitExit(once, 60_000)
    // `--once` exits 1 because runs failed, saying so; the `daemon:close` hook proves it closed as usual.
    expect(exit, once.stderr()).toEqual({ code: 1, signal: null })
    expect(once.stderr()).toMatch(/^gitvan: 3 run\(s\) failed \(bad \w{7}, bad \w{7}, bad \w{7}\): exit code 1/m)
    expect(readFileSync(join(dir, 'closed'), 'utf8')).toBe('done')
    expect(once.stderr()).not.toMatch(/^\s+at /m)
    expect(receiptLines(repo)).toEqual(expectedLines(first, bad))
    expect(once.runs().map(run => `${run.job} ${run.sha} ${run.status}`).sort()).toEqual(expectedLines(first, bad).map(line => line.split(':')[0]))

    // A long-running daemon: the bad runs of new commits end the same way, and it keeps serving the commits after them.
    const daemon: DaemonProcess = startDaemon(repo)
    const second = importCommits(repo, 2)
    await waitFor('the runs of the second batch', settled(repo, second), { timeout: 60_000, interval: 50, watch: [daemon] })
    const third = importCommits(repo, 1)
    await waitFor('the runs of a commit after them', settled(repo, third), { timeout: 60_000, interval: 50, watch: [daemon] })
    expect(daemon.exit).toBeUndefined()
    daemon.signal('SIGTERM')
    expect(await waitExit(daemon), daemon.stderr()).toEqual({ code: 0, signal: null })
    expect(receiptLines(repo)).toEqual(expectedLines([...first, ...second, ...third], bad))

    // What a bad run wrote before its worker ended is its log, when the worker could still send it.
    for (const receipt of readAllReceipts(repo).filter(receipt => receipt.job === 'bad')) {
      if (bad.logged) expect(git(repo, ['cat-file', '-p', receipt.log as string])).toContain('"out":"bad starts"')
      else expect(receipt.log).toBeUndefined()
    }

    // job:after fires once per run: in the job worker's app, or, for a run whose worker died, in the daemon's.
    const after = readFileSync(join(dir, 'after.log'), 'utf8').trim().split('\n').sort()
    expect(after).toEqual([...first, ...second, ...third].flatMap(sha => [`bad ${sha} false daemon`, `good ${sha} true worker`]).sort())
  }, 120_000)
})

describe('job workers', () => {
  it('that cannot start (a plugin throws there) are reported once; runs fail with the reason and the daemon does not spin', async () => {
    const dir = tempDir()
    const attempts = join(dir, 'attempts')
    const repo = initRepo(tempDir(), {
      'gitvan.config.mjs': [
        `import { appendFileSync } from 'node:fs'`,
        `import { isMainThread } from 'node:worker_threads'`,
        `export default { plugins: [{ meta: { name: 'main-only' }, setup() { if (!isMainThread) { appendFileSync(${JSON.stringify(attempts)}, 'x'); throw new Error('no worker for me') } } }] }`,
        '',
      ].join('\n'),
      'jobs/good.ts': HEALTHY,
    })
    const commits = importCommits(repo, 6)
    const once = startDaemon(repo, { args: ['--once', '--lookback', '10', '--json'] })
    expect(await waitExit(once, 60_000), once.stderr()).toEqual({ code: 1, signal: null })
    const reason = 'Plugin "main-only" (plugins[0] in gitvan.config.mjs) failed to set up: no worker for me'
    expect(receiptLines(repo)).toEqual(commits.map(sha => `good ${sha} error: job good did not run: its worker could not start: ${reason}`).sort())
    const warnings = once.lines.filter(line => line.type === 'warn' && line.message!.startsWith('job workers cannot start'))
    expect(warnings.map(line => line.message)).toEqual([`job workers cannot start: ${reason}; runs fail until that is fixed (a plugin that throws in a worker: see docs/hooks.md#plugins-and-job-workers)`])
    // At most one start per run that could be going on at once (daemon.concurrency, 4), then the backoff holds.
    expect(readFileSync(attempts, 'utf8').length).toBeLessThanOrEqual(4)
  }, 60_000)

  it('that die while idle (a timer an earlier run left behind) are reported and replaced; the run that left it stays ok', async () => {
    const repo = initRepo(tempDir(), {
      'gitvan.config.mjs': 'export default { daemon: { pollInterval: 100 } }\n',
      'jobs/leaky.ts': 'export default defineJob({ on: { commit: true }, run() { setTimeout(() => { throw new Error(\'late boom\') }, 50) } })\n',
    })
    const [first] = importCommits(repo, 1)
    const daemon = startDaemon(repo)
    await waitFor('the idle worker\'s end', () => daemon.lines.find(line => line.type === 'warn' && line.message!.startsWith('a job worker ended while idle')), { timeout: 60_000, watch: [daemon] })
    expect(daemon.lines.filter(line => line.type === 'warn').map(line => line.message)).toEqual([
      'a job worker ended while idle with an uncaught exception: late boom (thrown in a timer or event handler: catch it there); something an earlier run left behind (a timer, a promise) did it, and a new worker takes its place',
    ])
    const [second] = importCommits(repo, 1)
    await waitFor('the next commit\'s run', () => readAllReceipts(repo).some(receipt => receipt.sha === second), { timeout: 60_000, interval: 50, watch: [daemon] })
    expect(readAllReceipts(repo).map(receipt => `${receipt.sha} ${receipt.status}`).sort()).toEqual([`${first} ok`, `${second} ok`].sort())
    daemon.signal('SIGTERM')
    expect(await waitExit(daemon), daemon.stderr()).toEqual({ code: 0, signal: null })
  }, 60_000)

  it('that die take the commands their run started with them: a worker stopped in a loop has its cli step\'s process group killed', async () => {
    const dir = tempDir()
    const pids = join(dir, 'pids')
    const repo = initRepo(tempDir(), {
      'jobs/spawner.ts': [
        `import { existsSync } from 'node:fs'`,
        'export default defineJob({ on: { commit: true }, timeout: 1000, async run() {',
        `  void useExec().run('sh', ['-c', 'echo $$ >> ${pids}; exec sleep 60'])`,
        `  while (!existsSync(${JSON.stringify(pids)})) await new Promise(resolve => setTimeout(resolve, 10))`,
        '  for (;;) {}',
        '} })',
        '',
      ].join('\n'),
    })
    const [commit] = importCommits(repo, 1)
    const once = startDaemon(repo, { args: ['--once', '--json'] })
    expect(await waitExit(once, 60_000), once.stderr()).toEqual({ code: 1, signal: null })
    expect(receiptLines(repo)).toEqual([`spawner ${commit} timeout: job spawner timed out after 1000 ms, its code keeping its worker busy (a synchronous loop?): the worker was stopped`])
    const pid = Number(readFileSync(pids, 'utf8').trim())
    await waitFor('the cli step\'s process to be killed', () => !processAlive(pid), { timeout: 10_000 })
  }, 60_000)

  it('carry the run\'s abort to job code: cancelInProgress kills a cli step\'s processes and stops a worker stuck in a loop', async () => {
    const dir = tempDir()
    const pids = join(dir, 'pids')
    const repo = initRepo(tempDir(), {
      'gitvan.config.mjs': 'export default { daemon: { pollInterval: 100, grace: 100 } }\n',
      // A cli step that records its pid, then sleeps: cancelled, its process group is killed.
      'jobs/step.ts': `export default defineJob({ on: { commit: true }, concurrency: { group: 'step', cancelInProgress: true }, steps: [{ exec: 'cli', cmd: 'sh', args: ['-c', 'echo $$ >> ${pids}; exec sleep 60'] }] })\n`,
      // Never looks at its signal again: only stopping its worker ends it.
      'jobs/stuck.ts': `import { appendFileSync } from 'node:fs'\nexport default defineJob({ on: { commit: true }, concurrency: { group: 'stuck', cancelInProgress: true }, timeout: 600_000, run({ ctx }) { appendFileSync(${JSON.stringify(join(dir, 'stuck'))}, ctx.head + '\\n'); for (;;) {} } })\n`,
    })
    const [first] = importCommits(repo, 1)
    const daemon = startDaemon(repo)
    const stuckStarted = () => existsSync(join(dir, 'stuck')) ? readFileSync(join(dir, 'stuck'), 'utf8').trim().split('\n') : []
    await waitFor('both first runs to start', () => existsSync(pids) && stuckStarted().includes(first!), { timeout: 60_000, watch: [daemon] })
    const pid = Number(readFileSync(pids, 'utf8').trim())
    expect(processAlive(pid)).toBe(true)

    const [second] = importCommits(repo, 1)
    const receiptOf = (job: string, sha: string) => readAllReceipts(repo).find(receipt => receipt.job === job && receipt.sha === sha)
    await waitFor('the first runs\' receipts', () => receiptOf('step', first!) && receiptOf('stuck', first!), { timeout: 60_000, interval: 100, watch: [daemon] })
    expect(receiptOf('step', first!)).toMatchObject({ status: 'cancelled', reason: `superseded by ${second!.slice(0, 7)}` })
    expect(processAlive(pid)).toBe(false)
    expect(receiptOf('stuck', first!)).toMatchObject({
      status: 'cancelled',
      reason: `superseded by ${second!.slice(0, 7)}`,
      error: 'job stuck did not stop within 3000 ms of being cancelled: its worker was stopped',
    })
    // The newer runs go on in new workers; a shutdown's abort, after the grace, ends them the same ways.
    await waitFor('the second runs to start', () => stuckStarted().includes(second!) && readFileSync(pids, 'utf8').trim().split('\n').length === 2, { timeout: 60_000, watch: [daemon] })
    daemon.signal('SIGTERM')
    expect(await waitExit(daemon), daemon.stderr()).toEqual({ code: 0, signal: null })
    expect(processAlive(Number(readFileSync(pids, 'utf8').trim().split('\n')[1]))).toBe(false)
    // Runs cut short by the shutdown are not recorded: the next daemon runs them.
    expect(receiptOf('step', second!)).toBeUndefined()
  }, 90_000)

  it('are not used with jobs.isolation: \'none\': job code runs in the daemon\'s thread', async () => {
    const dir = tempDir()
    const job = `import { appendFileSync } from 'node:fs'\nimport { threadId } from 'node:worker_threads'\nexport default defineJob({ on: { commit: true }, run() { appendFileSync(${JSON.stringify(join(dir, 'threads'))}, threadId + '\\n') } })\n`
    const none = initRepo(tempDir(), { 'gitvan.config.mjs': 'export default { jobs: { isolation: \'none\' } }\n', 'jobs/where.ts': job })
    importCommits(none, 2)
    expect(runLines(await runOnce(none, { lookback: 5 }))).toHaveLength(2)
    const worker = initRepo(tempDir(), { 'jobs/where.ts': job })
    importCommits(worker, 2)
    expect(runLines(await runOnce(worker, { lookback: 5 }))).toHaveLength(2)
    const threads = readFileSync(join(dir, 'threads'), 'utf8').trim().split('\n').map(Number)
    expect(threads.slice(0, 2)).toEqual([0, 0])
    expect(threads.slice(2).every(thread => thread > 0)).toBe(true)
  })

  it('see the new job code after a `gitvan dev` reload: the workers already running load it, keeping a broken job\'s last good version', async () => {
    // The job writes its version and the thread it ran in (0 is the daemon's main thread) to a file named after the commit.
    const job = (version: string) => `import { threadId } from 'node:worker_threads'\nexport default defineJob({ on: { commit: true }, async run({ ctx }) { await useGit().writeFile('out/' + ctx.head, '${version} ' + threadId) } })\n`
    const repo = createProject({ 'gitvan.config.mjs': 'export default { daemon: { pollInterval: 200 } }\n', '.gitignore': 'out/\n.gitvan/\n', 'jobs/say.ts': job('one') })
    const dev = startCli(repo, [], 'dev')
    const ran = (sha: string) => existsSync(join(repo, 'out', sha)) ? readFileSync(join(repo, 'out', sha), 'utf8').split(' ') : undefined
    const reloads = () => dev.events.filter(event => event.type === 'reload').length
    const first = commitFiles(repo, { a: '1' }, 'first')
    await dev.until(() => ran(first) !== undefined, 60_000)
    const [version, thread] = ran(first)!
    expect(version).toBe('one')
    expect(Number(thread)).toBeGreaterThan(0)

    writeFileSync(join(repo, 'jobs/say.ts'), job('two'))
    await dev.until(() => reloads() === 1, 60_000)
    const second = commitFiles(repo, { b: '1' }, 'second')
    await dev.until(() => ran(second) !== undefined, 60_000)
    expect(ran(second)).toEqual(['two', thread])

    writeFileSync(join(repo, 'jobs/say.ts'), 'export default defineJob({ run() { return 1 +* } })\n')
    await dev.until(events => events.some(event => event.type === 'broken' && event.job === 'say'), 60_000)
    const third = commitFiles(repo, { c: '1' }, 'third')
    await dev.until(() => ran(third) !== undefined, 60_000)
    expect(ran(third)).toEqual(['two', thread])
    expect(await dev.stop()).toBe(0)
  }, 120_000)
})

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')
  } catch {
    return false
  }
}
