import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { allReceipts } from '../utils/daemon'
import { fakeTime } from '../utils/faketime'
import { createProject, writeFiles } from '../utils/project'
import { commitFiles, sh } from '../utils/repo'
import { runLines, runOnce } from './fixtures/in-process'
import { killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { readAllReceipts } from './fixtures/repo'

// The run model (issue 9) on real repositories, through the daemon core in this process where it can be, and as
// real processes where signals and kills are the point.

afterEach(killDaemons)

const IGNORE = '.gitignore'
const receiptsOf = (repo: string, job: string) => readAllReceipts(repo).filter(receipt => receipt.job === job)

describe('order and concurrency', () => {
  it('runs of one job in one worktree never overlap and start oldest first: the tree ends with the newest commit\'s file', async () => {
    // The changelog job of getting started, made racy: each run waits a random moment before it writes.
    const job = `export default defineJob({ on: { commit: true }, async run({ ctx }) {
  await new Promise(resolve => setTimeout(resolve, Math.random() * 15))
  await useGit().writeFile('CHANGELOG.md', ctx.head + '\\n')
} })\n`
    for (let trial = 0; trial < 10; trial++) {
      const repo = createProject({ [IGNORE]: 'CHANGELOG.md\n.gitvan/\n', 'jobs/changelog.ts': job })
      const commits = Array.from({ length: 8 }, (_, i) => commitFiles(repo, { [`f${i}`]: String(i) }, `commit ${i}`))
      const events = await runOnce(repo, { concurrency: 8, lookback: 20 })
      expect(runLines(events).filter(line => line.endsWith(' ok'))).toHaveLength(Number(sh(repo, 'rev-list', '--count', 'HEAD')))
      expect(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8').trim(), `trial ${trial}`).toBe(commits.at(-1))
    }
    // Ten daemons, each starting a job worker from source: more than the default 30 s on a busy machine.
  }, 90_000)

  it('a concurrency group with cancelInProgress ends queued runs it supersedes as cancelled', async () => {
    const repo = createProject({
      'jobs/deploy.ts': 'export default defineJob({ on: { commit: true }, concurrency: { group: \'deploy\', cancelInProgress: true }, run: () => ({ ok: true }) })\n',
    })
    const [a, b, c] = ['a', 'b', 'c'].map(name => commitFiles(repo, { [name]: '1' }, name))
    const lines = runLines(await runOnce(repo, { lookback: 3 }))
    expect(lines).toContain(`deploy ${c!.slice(0, 7)} ok`)
    expect(lines).toContain(`deploy ${a!.slice(0, 7)} cancelled (superseded by ${b!.slice(0, 7)})`)
    expect(lines).toContain(`deploy ${b!.slice(0, 7)} cancelled (superseded by ${c!.slice(0, 7)})`)
    // Cancelled settles the pair: nothing runs again.
    expect(runLines(await runOnce(repo))).toEqual([])
  })

  it('cancelInProgress ends a run in progress when a newer commit of the group comes', async () => {
    const repo = createProject({
      [IGNORE]: 'started-*\n.gitvan/\n',
      'gitvan.config.mjs': 'export default { daemon: { pollInterval: 200 } }\n',
      'jobs/deploy.ts': `import { writeFileSync } from 'node:fs'
export default defineJob({ on: { commit: { message: '^deploy' } }, concurrency: { group: ({ branch }) => 'deploy-' + branch, cancelInProgress: true }, timeout: 60000, async run({ ctx }) {
  writeFileSync(ctx.root + '/started-' + ctx.head, '')
  await new Promise(resolve => ctx.signal.addEventListener('abort', resolve))
  throw ctx.signal.reason
} })\n`,
    })
    const daemon = startDaemon(repo)
    const first = commitFiles(repo, { a: '1' }, 'deploy one')
    await waitFor('the first deploy to start', () => existsSync(join(repo, `started-${first}`)), { watch: [daemon] })
    const second = commitFiles(repo, { b: '1' }, 'deploy two')
    await waitFor('the second deploy to start', () => existsSync(join(repo, `started-${second}`)), { watch: [daemon] })
    await waitFor('the first deploy\'s receipt', () => receiptsOf(repo, 'deploy').some(receipt => receipt.sha === first), { interval: 250, watch: [daemon] })
    const receipt = receiptsOf(repo, 'deploy').find(receipt => receipt.sha === first)!
    expect(receipt).toMatchObject({ status: 'cancelled', ok: false, reason: `superseded by ${second.slice(0, 7)}` })
    daemon.signal('SIGTERM')
    expect((await waitExit(daemon)).code).toBe(0)
  })

  it('skipIntermediate runs only the newest of the commits waiting at once and records the others as skipped', async () => {
    const repo = createProject({ 'jobs/tip.ts': 'export default defineJob({ on: { commit: true }, skipIntermediate: true, run: () => ({ ok: true }) })\n' })
    const commits = ['a', 'b', 'c'].map(name => commitFiles(repo, { [name]: '1' }, name))
    const lines = runLines(await runOnce(repo, { lookback: 3 }))
    expect(lines).toContain(`tip ${commits[2]!.slice(0, 7)} ok`)
    expect(lines.filter(line => line.includes('skipped (superseded by'))).toHaveLength(2)
    expect(allReceipts(repo).find(receipt => receipt.sha === commits[0])).toMatchObject({ status: 'skipped', ok: true, reason: `superseded by ${commits[1]!.slice(0, 7)}` })
  })
})

describe('isolated checkouts', () => {
  const reader = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
export default defineJob({ on: { commit: true }, checkout: 'isolated', async run({ ctx }) {
  mkdirSync(ctx.root + '/seen', { recursive: true })
  writeFileSync(ctx.root + '/seen/' + ctx.head, readFileSync(ctx.worktreeRoot + '/version.txt', 'utf8'))
} })\n`

  it('each run sees exactly its commit\'s files, and no checkout is left behind', async () => {
    const repo = createProject({ [IGNORE]: 'seen/\n.gitvan/\n', 'jobs/reader.ts': reader, 'version.txt': 'zero\n' })
    const one = commitFiles(repo, { 'version.txt': 'one\n' }, 'one')
    const two = commitFiles(repo, { 'version.txt': 'two\n' }, 'two')
    writeFiles(repo, { 'version.txt': 'uncommitted\n' })
    await runOnce(repo, { lookback: 2, concurrency: 4 })
    expect(readFileSync(join(repo, 'seen', one), 'utf8')).toBe('one\n')
    expect(readFileSync(join(repo, 'seen', two), 'utf8')).toBe('two\n')
    expect(sh(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1)
  })

  it('a checkout left by a daemon killed with -9 is removed on the next start', async () => {
    const hanging = `import { writeFileSync } from 'node:fs'
export default defineJob({ on: { commit: true }, checkout: 'isolated', timeout: 60000, async run({ ctx }) {
  writeFileSync(ctx.root + '/running', ctx.worktreeRoot)
  await new Promise(resolve => setTimeout(resolve, 120000))
} })\n`
    const repo = createProject({ [IGNORE]: 'running\n.gitvan/\n', 'gitvan.config.mjs': 'export default { locks: { ttl: 2000 } }\n', 'jobs/hang.ts': hanging })
    const daemon = startDaemon(repo)
    await waitFor('the isolated run to start', () => existsSync(join(repo, 'running')), { watch: [daemon] })
    const checkout = readFileSync(join(repo, 'running'), 'utf8')
    expect(existsSync(checkout)).toBe(true)
    await daemon.kill()
    expect(sh(repo, 'worktree', 'list', '--porcelain')).toContain(checkout)
    writeFiles(repo, { 'jobs/hang.ts': reader.replace("'/version.txt'", "'/README.md'") })
    const events = await runOnce(repo)
    expect(runLines(events).every(line => line.endsWith(' ok'))).toBe(true)
    expect(events.some(event => event.type === 'warn' && event.message.includes(checkout))).toBe(true)
    expect(existsSync(checkout)).toBe(false)
    expect(sh(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1)
    expect(readdirSync(join(repo, '.git/gitvan/checkouts'))).toEqual([])
  })
})

describe('which commits a job sees', () => {
  it('`!` excludes: paths, branches and tags read in order, as GitHub Actions reads them', async () => {
    const repo = createProject({
      [IGNORE]: '.gitvan/\n',
      'jobs/src.ts': 'export default defineJob({ on: { commit: { paths: [\'src/**\', \'!src/gen/**\'] } }, run: () => ({ ok: true }) })\n',
      'jobs/not-main.ts': 'export default defineJob({ on: { commit: { branches: [\'**\', \'!main\'] } }, run: () => ({ ok: true }) })\n',
      'jobs/release.ts': 'export default defineJob({ on: { tag: [\'v*\', \'!v0*\'] }, run: () => ({ ok: true }) })\n',
      'jobs/ignore.ts': 'export default defineJob({ on: { commit: { pathsIgnore: \'docs/**\' } }, run: () => ({ ok: true }) })\n',
    })
    await runOnce(repo, { lookback: 1 })
    const docs = commitFiles(repo, { 'docs/a.md': '1' }, 'docs only')
    const gen = commitFiles(repo, { 'src/gen/x.ts': '1' }, 'generated only')
    const code = commitFiles(repo, { 'src/a.ts': '1', 'src/gen/y.ts': '1' }, 'code and generated')
    sh(repo, 'tag', 'v0.9.0')
    sh(repo, 'tag', 'v1.0.0')
    const lines = runLines(await runOnce(repo))
    expect(lines.filter(line => line.startsWith('src '))).toEqual([`src ${code.slice(0, 7)} ok`])
    expect(lines.filter(line => line.startsWith('not-main '))).toEqual([])
    expect(lines.filter(line => line.startsWith('release '))).toEqual([`release ${code.slice(0, 7)} ok`])
    expect(lines.filter(line => line.startsWith('ignore ')).sort()).toEqual([`ignore ${gen.slice(0, 7)} ok`, `ignore ${code.slice(0, 7)} ok`].sort())
    expect(lines.some(line => line.includes(docs.slice(0, 7)) && !line.startsWith('ignore'))).toBe(false)
  })

  it('a new branch brings only commits no other line had: creating release/1.0 runs nothing until someone commits on it', async () => {
    const repo = createProject({ 'jobs/rel.ts': 'export default defineJob({ on: { commit: { branches: \'release/*\' } }, run: () => ({ ok: true }) })\n' })
    for (let i = 0; i < 8; i++) commitFiles(repo, { [`m${i}`]: '1' }, `main ${i}`)
    await runOnce(repo)
    sh(repo, 'branch', 'release/1.0')
    expect(runLines(await runOnce(repo))).toEqual([])
    sh(repo, 'checkout', '-q', 'release/1.0')
    const fix = commitFiles(repo, { fix: '1' }, 'fix on release')
    sh(repo, 'checkout', '-q', 'main')
    expect(runLines(await runOnce(repo))).toEqual([`rel ${fix.slice(0, 7)} ok`])
    expect(allReceipts(repo).find(receipt => receipt.sha === fix)!.trigger).toEqual({ type: 'commit', sha: fix, branch: 'release/1.0' })
  })
})

describe('retries and skips', () => {
  it('--retry-failed runs again only the pairs whose last receipt failed', async () => {
    const repo = createProject({
      'jobs/fine.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
      'jobs/broken.ts': 'export default defineJob({ on: { commit: true }, run() { throw new Error(\'no\') } })\n',
    })
    const commits = ['a', 'b'].map(name => commitFiles(repo, { [name]: '1' }, name))
    await runOnce(repo, { lookback: 2 })
    const again = runLines(await runOnce(repo, { retryFailed: true }))
    expect(again.sort()).toEqual(commits.map(sha => `broken ${sha.slice(0, 7)} error`).sort())
    expect(runLines(await runOnce(repo, { retryFailed: true })).sort()).toEqual(commits.map(sha => `broken ${sha.slice(0, 7)} error`).sort())
    expect(receiptsOf(repo, 'fine')).toHaveLength(2)
  })

  it('a retry policy of 1 gives exactly 2 receipts per failing pair, also with the CPU starved', async () => {
    const busy = [0, 1].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
    try {
      const repo = createProject({
        [IGNORE]: '.gitvan/\n',
        'gitvan.config.mjs': 'export default { daemon: { pollInterval: 100 }, locks: { ttl: 3000 } }\n',
        'jobs/flaky.ts': 'export default defineJob({ on: { commit: true }, retry: { count: 1, backoff: 50 }, run() { throw new Error(\'flaky\') } })\n',
      })
      const daemon = startDaemon(repo, { args: ['--json', '--concurrency', '8'] })
      const commits = Array.from({ length: 6 }, (_, i) => commitFiles(repo, { [`c${i}`]: '1' }, `commit ${i}`))
      const attempts = (sha: string) => receiptsOf(repo, 'flaky').filter(receipt => receipt.sha === sha).length
      await waitFor('two attempts on every commit', () => commits.every(sha => attempts(sha) >= 2), { timeout: 90_000, interval: 250, watch: [daemon] })
      // A commit after them proves the daemon went on ticking; none of the earlier ones got a third attempt.
      const last = commitFiles(repo, { last: '1' }, 'last')
      await waitFor('two attempts on the last commit', () => attempts(last) >= 2, { timeout: 90_000, interval: 250, watch: [daemon] })
      expect([...commits, last].map(attempts)).toEqual([...commits, last].map(() => 2))
      daemon.signal('SIGTERM')
      expect((await waitExit(daemon)).code).toBe(0)
    } finally {
      for (const loop of busy) loop.kill()
    }
  }, 120_000)

  it('a condition that is false, or a job that skips itself, ends skipped with the reason, and settles the pair', async () => {
    const repo = createProject({
      [IGNORE]: '.gitvan/\n',
      'jobs/cond.ts': 'export default defineJob({ on: { commit: true }, if: ({ trigger }) => trigger.type !== \'commit\', run: () => ({ ok: true }) })\n',
      'jobs/self.ts': 'export default defineJob({ on: { commit: true }, run() { useJob().skip(\'nothing changed\') } })\n',
      'jobs/step.ts': 'export default defineJob({ on: { commit: true }, steps: [{ exec: \'js\', module: \'skip.ts\' }, { exec: \'cli\', cmd: \'false\' }] })\n',
      'skip.ts': 'export default () => useJob().skip(\'from a step\')\n',
    })
    const head = sh(repo, 'rev-parse', 'HEAD').slice(0, 7)
    expect(runLines(await runOnce(repo, { lookback: 1 })).sort()).toEqual([
      `cond ${head} skipped (if: the condition was false)`,
      `self ${head} skipped (nothing changed)`,
      `step ${head} skipped (from a step)`,
    ])
    expect(allReceipts(repo).every(receipt => receipt.ok && receipt.status === 'skipped')).toBe(true)
    expect(runLines(await runOnce(repo))).toEqual([])
  })

  it('a composite job\'s later steps read earlier steps\' results by name', async () => {
    const repo = createProject({
      [IGNORE]: 'out.txt\n.gitvan/\n',
      'jobs/steps.ts': `export default defineJob({ on: { commit: true }, steps: [
  { name: 'version', exec: 'cli', cmd: 'echo', args: ['1.2.3'] },
  ({ steps }) => ({ exec: 'cli', cmd: 'sh', args: ['-c', 'echo "v$0" > out.txt', steps.version.stdout.trim()] }),
] })\n`,
    })
    await runOnce(repo)
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('v1.2.3\n')
  })
})

describe('schedules', () => {
  const tick = (cron: string, body = '') => `export default defineJob({ meta: { schedule: '${cron}' }, async run({ trigger }) { ${body} } })\n`

  it('a minute cron across downtime: exactly one catch-up run on restart (the latest missed slot), then slots as usual', async () => {
    const repo = createProject({ [IGNORE]: '.gitvan/\n', 'gitvan.config.mjs': 'export default { daemon: { pollInterval: 500 } }\n', 'jobs/minute.ts': tick('* * * * *') })
    const { updateState } = await import('../../src/daemon/state')
    // The last daemon handled 10:01 and stopped; this one starts at 10:04:55 (libfaketime), 5 s before the 10:05 slot.
    await updateState(repo, state => ({ ...state, heads: { main: sh(repo, 'rev-parse', 'HEAD') }, branches: ['main'], schedules: { minute: '2026-01-01T10:01:00.000Z' } }))
    const daemon = startDaemon(repo, { env: { ...fakeTime('2026-01-01 10:04:55'), TZ: 'UTC' } })
    await waitFor('the catch-up run and the next slot', () => daemon.runs().length >= 2, { timeout: 30_000, watch: [daemon] })
    daemon.signal('SIGTERM')
    expect((await waitExit(daemon)).code).toBe(0)
    expect(receiptsOf(repo, 'minute').map(receipt => receipt.trigger.slot).sort()).toEqual(['2026-01-01T10:04:00.000Z', '2026-01-01T10:05:00.000Z'])
  }, 60_000)

  it('SIGTERM waits for a schedule run in flight and records it', async () => {
    const repo = createProject({
      [IGNORE]: 'started\n.gitvan/\n',
      'jobs/slow.ts': `import { writeFileSync } from 'node:fs'
export default defineJob({ meta: { schedule: '* * * * * *' }, async run({ trigger, ctx }) {
  writeFileSync(ctx.root + '/started', trigger.slot)
  await new Promise(resolve => setTimeout(resolve, 1500))
} })\n`,
    })
    const daemon = startDaemon(repo)
    await waitFor('a scheduled run to start', () => existsSync(join(repo, 'started')), { watch: [daemon] })
    const slot = readFileSync(join(repo, 'started'), 'utf8')
    daemon.signal('SIGTERM')
    expect((await waitExit(daemon)).code).toBe(0)
    expect(receiptsOf(repo, 'slow').find(receipt => receipt.trigger.slot === slot)).toMatchObject({ status: 'ok' })
  })

  it('schedule receipts go on their slot\'s anchor: HEAD\'s note is never rewritten, each slot holds its own', async () => {
    const repo = createProject({ [IGNORE]: '.gitvan/\n', 'jobs/every.ts': tick('* * * * * *') })
    const daemon = startDaemon(repo)
    await waitFor('four slots', () => receiptsOf(repo, 'every').length >= 4, { interval: 250, watch: [daemon] })
    daemon.signal('SIGTERM')
    expect((await waitExit(daemon)).code).toBe(0)
    const receipts = receiptsOf(repo, 'every')
    expect(() => sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'show', 'HEAD')).toThrow()
    // One receipt per note, each on a different anchor commit, and every receipt names HEAD as the commit it ran on.
    const notes = sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'list').split('\n')
    expect(notes).toHaveLength(receipts.length)
    expect(new Set(receipts.map(receipt => receipt.trigger.slot)).size).toBe(receipts.length)
    expect(receipts.every(receipt => receipt.sha === sh(repo, 'rev-parse', 'HEAD'))).toBe(true)
  })
})

describe('no head-of-line blocking', () => {
  it('a hung job (ignoring its abort) holds up none of 20 commits of other jobs', async () => {
    const repo = createProject({
      [IGNORE]: '.gitvan/\n',
      'gitvan.config.mjs': 'export default { daemon: { pollInterval: 200 } }\n',
      'jobs/hung.ts': 'export default defineJob({ on: { commit: { message: \'^hang\' } }, timeout: 120000, async run() { await new Promise(resolve => setTimeout(resolve, 120000)) } })\n',
      'jobs/other.ts': 'export default defineJob({ on: { commit: { message: \'^other\' } }, run: () => ({ ok: true }) })\n',
    })
    const daemon = startDaemon(repo, { args: ['--json', '--lookback', '1'] })
    commitFiles(repo, { hang: '1' }, 'hang here')
    await waitFor('the hung run to start', () => daemon.lines.length >= 0 && sh(repo, 'for-each-ref', 'refs/gitvan/locks/claims') !== '', { watch: [daemon] })
    const others = Array.from({ length: 20 }, (_, i) => commitFiles(repo, { [`o${i}`]: '1' }, `other ${i}`))
    await waitFor('all 20 other receipts', () => others.every(sha => receiptsOf(repo, 'other').some(receipt => receipt.sha === sha)), { timeout: 60_000, interval: 250, watch: [daemon] })
    expect(receiptsOf(repo, 'hung')).toEqual([])
    await daemon.kill()
  }, 90_000)
})
