import { existsSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createGitVan } from '../../src/app/create'
import { readPairs, rerunPairs } from '../../src/daemon/rerun'
import { claimWork, releaseOps } from '../../src/locks/claims'
import { leaseVerifyOp } from '../../src/locks/lease'
import { createRunnerLiveness, startRunner } from '../../src/locks/runners'
import { createReceipt } from '../../src/receipts/receipt'
import { gitvan } from '../utils/cli'
import { allReceipts, startDaemon } from '../utils/daemon'
import { createProject } from '../utils/project'
import { commitFiles, sh } from '../utils/repo'

const FAST = 'export default { daemon: { pollInterval: 300 }, locks: { ttl: 5000 } }\n'
// Fails until the work tree has a `pass` file; then it says it started and runs until the test writes `.git/release`.
const GATED = [
  "import { existsSync, writeFileSync } from 'node:fs'",
  'export default defineJob({ on: { commit: true }, timeout: 60000, async run({ ctx }) {',
  "  if (!existsSync(ctx.root + '/pass')) throw new Error('no pass file')",
  "  writeFileSync(ctx.root + '/.git/started', '')",
  "  while (!existsSync(ctx.root + '/.git/release')) await new Promise(resolve => setTimeout(resolve, 20))",
  '} })',
  '',
].join('\n')
const FAILS_UNTIL_PASS = "import { existsSync } from 'node:fs'\nexport default defineJob({ on: { commit: true }, run({ ctx }) { if (!existsSync(ctx.root + '/pass')) throw new Error('no pass file') } })\n"

/** Wait for a file a job or process writes (polling), or fail after `timeout` ms. */
async function fileAppears(file: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`)
    await sleep(20)
  }
}

const receiptsOf = (repo: string, job: string, sha: string) => allReceipts(repo).filter(receipt => receipt.job === job && receipt.sha === sha)

describe('gitvan rerun', () => {
  it('a failed pair runs again exactly once: two reruns at once beside a running daemon make one new receipt', async () => {
    const repo = createProject({ 'gitvan.config.mjs': FAST, '.gitignore': 'pass\n', 'jobs/gated.ts': GATED })
    const head = sh(repo, 'rev-parse', 'HEAD')
    const daemon = startDaemon(repo)
    await daemon.until(events => events.some(event => event.type === 'run' && event.sha === head && event.status === 'error'))

    writeFileSync(join(repo, 'pass'), '')
    const first = gitvan(['rerun', 'gated', 'HEAD', '--json'], { cwd: repo })
    await fileAppears(join(repo, '.git/started'))
    // The first rerun holds the pair's lease while its run is gated.
    const second = gitvan(['rerun', 'gated', head, '--json'], { cwd: repo })
    writeFileSync(join(repo, '.git/release'), '')
    const results = await Promise.all([first, second])
    expect(results.map(result => result.code)).toEqual([0, 0])
    const [ran, other] = results.map(result => JSON.parse(result.stdout)[0])
    expect(ran).toMatchObject({ job: 'gated', key: head, sha: head, outcome: 'ran', ok: true, receipt: { job: 'gated', sha: head, status: 'ok', trigger: { type: 'commit', sha: head, branch: 'main' } } })
    // Usually the second finds the pair succeeded as it reads it (`not-failed`); if it was quicker, it waited for the
    // lease and found it done under it (`done`, pinned down by the next test). Never a second run.
    expect(['done', 'not-failed']).toContain(other.outcome)

    // The daemon saw the new receipt and does not run the pair again: a later commit's run proves it ticked since.
    const next = commitFiles(repo, { a: '1' }, 'next')
    await daemon.until(events => events.some(event => event.type === 'run' && event.sha === next))
    expect(receiptsOf(repo, 'gated', head).map(receipt => receipt.status)).toEqual(['error', 'ok'])
    expect(await daemon.stop()).toBe(0)
  })

  it('--failed runs every failed pair, narrowed by --branch and --job; pairs that did not fail are left alone', async () => {
    const repo = createProject({ '.gitignore': 'pass\n', 'jobs/a.ts': FAILS_UNTIL_PASS, 'jobs/docs/b.ts': FAILS_UNTIL_PASS, 'jobs/ok.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n' })
    const [main, first] = [sh(repo, 'rev-parse', 'HEAD'), sh(repo, 'rev-parse', 'HEAD~1')]
    sh(repo, 'switch', '-q', '-c', 'side')
    const side = commitFiles(repo, { s: '1' }, 'side')
    sh(repo, 'switch', '-q', 'main')
    expect((await gitvan(['daemon', '--once', '--allow-failures'], { cwd: repo })).code).toBe(0)
    // Two jobs fail on the three commits (two on main, one more on side).
    expect(allReceipts(repo).filter(receipt => !receipt.ok)).toHaveLength(6)
    writeFileSync(join(repo, 'pass'), '')

    const narrowed = await gitvan(['rerun', '--failed', '--branch', 'main', '--job', 'docs:*'], { cwd: repo })
    expect(narrowed.code).toBe(0)
    expect(narrowed.stdout.trim().split('\n').map(line => line.replace(/ in \d+ ms;/, ' in 1 ms;')).sort()).toEqual([first, main].map(sha => `docs:b ${sha.slice(0, 7)} ok in 1 ms; receipt on ${sha.slice(0, 7)} (refs/notes/gitvan/results)`).sort())
    const rest = await gitvan(['rerun', '--failed', '--json'], { cwd: repo })
    expect(JSON.parse(rest.stdout).map((r: any) => `${r.job}@${r.sha.slice(0, 7)} ${r.outcome}`).sort()).toEqual([`a@${first.slice(0, 7)} ran`, `a@${main.slice(0, 7)} ran`, `a@${side.slice(0, 7)} ran`, `docs:b@${side.slice(0, 7)} ran`].sort())
    expect((await gitvan(['rerun', '--failed'], { cwd: repo })).stdout.trim()).toBe('No failed runs: nothing to run again.')

    const notFailed = await gitvan(['rerun', 'ok', 'main'], { cwd: repo })
    expect(notFailed.code).toBe(0)
    expect(notFailed.stdout.trim()).toBe(`ok ${main.slice(0, 7)}: nothing to do, its last run succeeded`)
    expect(allReceipts(repo)).toHaveLength(9 + 6)
  })

  it('under its claim: a pair another runner holds waits, one settled meanwhile is not run; a tag pair keeps its tag trigger', async () => {
    const repo = createProject({ '.gitignore': 'pass\n', 'jobs/release.ts': "import { existsSync } from 'node:fs'\nexport default defineJob({ on: { tag: 'v*' }, run({ ctx }) { if (!existsSync(ctx.root + '/pass')) throw new Error('no pass file') } })\n" })
    await gitvan(['daemon', '--once'], { cwd: repo })
    sh(repo, 'tag', 'v1.0.0')
    sh(repo, 'tag', 'v2.0.0')
    expect((await gitvan(['daemon', '--once'], { cwd: repo })).code).toBe(1)
    writeFileSync(join(repo, 'pass'), '')
    const app = await createGitVan({ cwd: repo })
    try {
      const [v1, v2] = await readPairs(app, { job: 'release' })
      expect([v1, v2].map(pair => [pair!.key, pair!.status]).sort()).toEqual([['tag:v1.0.0', 'failed'], ['tag:v2.0.0', 'failed']])
      const one = v1!.key === 'tag:v1.0.0' ? v1! : v2!
      const two = one === v1 ? v2! : v1!
      // Claimed by another runner, as a daemon claims the pair while it runs it: with no time to wait, the rerun gives up.
      const other = await startRunner(repo, { ttl: 60_000 })
      const { claim } = await claimWork(repo, other, [{ item: `release ${one.key}` }], createRunnerLiveness(60_000))
      expect(claim).not.toBeNull()
      const [held] = await rerunPairs(app, [one], { leaseWait: 0 })
      expect(held).toMatchObject({ outcome: 'held', message: expect.stringMatching(/^held by runner refs\/gitvan\/locks\/runners\//) })
      // Waiting for it: the other runner's run succeeds, it publishes and lets go of the claim in one transaction, as
      // the daemon does; the rerun then reads the receipts again under its own claim and finds the pair settled.
      const waiting = rerunPairs(app, [one])
      const ok = createReceipt({ job: 'release', sha: one.sha, trigger: one.trigger, worktree: 'main', startedAt: new Date(), result: { ok: true, durationMs: 1 }, status: 'ok' })
      expect(await app.receipts.publish([{ receipt: ok }], [leaseVerifyOp(other.lease()!), ...await releaseOps(repo, [claim!])])).not.toBeNull()
      await other.stop()
      expect((await waiting).map(result => result.outcome)).toEqual(['done'])
      expect(receiptsOf(repo, 'release', one.sha).filter(receipt => receipt.trigger.tag === 'v1.0.0').map(receipt => receipt.status)).toEqual(['error', 'ok'])

      const [result] = await rerunPairs(app, [two])
      expect(result).toMatchObject({ outcome: 'ran', receipt: { job: 'release', status: 'ok', trigger: { type: 'tag', tag: 'v2.0.0' } } })
      expect((await readPairs(app, { job: 'release' })).map(pair => pair.status)).toEqual(['settled', 'settled'])
    } finally {
      await app.close()
    }
  })

  it('bad command lines and unknown pairs are one-line errors', async () => {
    const repo = createProject({ 'jobs/hello.ts': 'export default defineJob({ run() {} })\n' })
    const cases: [string[], string][] = [
      [['rerun'], 'gitvan: Name the pair to run again, `gitvan rerun <id> <rev>`, or pass --failed for every failed pair'],
      [['rerun', 'hello'], 'gitvan: Name the pair to run again, `gitvan rerun <id> <rev>`, or pass --failed for every failed pair'],
      [['rerun', 'hello', 'HEAD', '--failed'], 'gitvan: Pass either <id> <rev> or --failed, not both: `gitvan rerun docs:changelog HEAD~1` or `gitvan rerun --failed --branch main`'],
      [['rerun', '--branch', 'main'], 'gitvan: --branch and --job narrow --failed: add --failed, or name one pair with `gitvan rerun <id> <rev>`'],
      [['rerun', 'helo', 'HEAD'], 'gitvan: Unknown job "helo": did you mean hello? (`gitvan list` shows them all)'],
      [['rerun', 'hello', 'nope'], `gitvan: "nope" is not a commit of the repository in ${repo}: pass a sha, branch or tag, e.g. HEAD~2`],
      [['rerun', 'hello', 'HEAD'], `gitvan: hello has no run on ${sh(repo, 'rev-parse', '--short=7', 'HEAD')} to run again: \`gitvan run hello --sha HEAD\` runs it`],
      [['rerun', '--failed', '--branch', 'nope'], `gitvan: "nope" is not a branch of the repository in ${repo}: pass a local branch name, e.g. main`],
    ]
    const results = await Promise.all(cases.map(([args]) => gitvan(args, { cwd: repo })))
    results.forEach((result, i) => {
      expect({ args: cases[i]![0], code: result.code, stderr: result.stderr.trim() }).toEqual({ args: cases[i]![0], code: 1, stderr: cases[i]![1] })
    })
  })
})
