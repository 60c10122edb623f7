import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../utils/repo'
import { killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { type ReceiptLine, configFile, importCommits, initRepo, leaseRefs, readAllReceipts } from './fixtures/repo'

// Broken, failing and hanging jobs next to a healthy one: the daemon reports them and goes on.

afterEach(killDaemons)

const jobs = {
  'jobs/healthy.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
  'jobs/thrower.ts': `export default defineJob({ on: { commit: true }, run() { throw new Error('boom from thrower') } })\n`,
  // Hangs on a timer far past its timeout, ignoring its abort signal.
  'jobs/hanger.ts': 'export default defineJob({ on: { commit: true }, timeout: 300, async run() { await new Promise(resolve => setTimeout(resolve, 600_000)) } })\n',
  // A syntax error: the `{` of `run() {` is never closed (the parser notices on line 4).
  'jobs/broken.ts': 'export default defineJob({\n  on: { commit: true },\n  run() { return { ok: true }\n})\n',
  'jobs/flaky.ts': `export default defineJob({ on: { commit: true }, retry: { count: 1, backoff: 100 }, run() { throw new Error('flaky fails') } })\n`,
}

/** Receipts of `job` on `sha`, as statuses in the order written. */
function statuses(receipts: ReceiptLine[], job: string, sha: string): string[] {
  return receipts.filter(receipt => receipt.job === job && receipt.sha === sha).map(receipt => receipt.status)
}

/** Every commit of `shas` has `count` receipts of `job`. */
function haveReceipts(job: string, shas: string[], count: number) {
  return (receipts: ReceiptLine[]) => shas.every(sha => statuses(receipts, job, sha).length >= count)
}

describe('gitvan daemon with broken, throwing and hanging jobs', () => {
  it('reports the broken file, records error and timeout receipts, retries as configured, and keeps going', async () => {
    const repo = initRepo(tempDir(), { 'gitvan.config.mjs': configFile({ locks: { ttl: 2000 }, daemon: { pollInterval: 100 } }), ...jobs })
    const first = importCommits(repo, 1)
    const daemon = startDaemon(repo, { args: ['--json', '--concurrency', '8'] })

    const broken = await waitFor('the broken job to be reported', () => daemon.lines.find(line => line.type === 'broken'), { watch: [daemon] })
    expect(broken.job).toBe('broken')
    expect(broken.message).toMatch(/^jobs\/broken\.ts:\d+:\d+: /)

    // The first commit, then three more at once: each gets the healthy job's receipt, and the others' failures.
    await waitFor('the first commit to be settled', () => haveReceipts('healthy', first, 1)(readAllReceipts(repo)) && haveReceipts('flaky', first, 2)(readAllReceipts(repo)), { timeout: 60_000, interval: 100, watch: [daemon] })
    const more = importCommits(repo, 3)
    const commits = [...first, ...more]
    const settled = (receipts: ReceiptLine[]) => ['healthy', 'thrower', 'hanger'].every(job => haveReceipts(job, commits, 1)(receipts)) && haveReceipts('flaky', commits, 2)(receipts)
    await waitFor('every commit to be settled', () => settled(readAllReceipts(repo)), { timeout: 60_000, interval: 100, watch: [daemon] })

    // A commit made after all that is still served, and meanwhile nothing above was run again.
    const [last] = importCommits(repo, 1)
    await waitFor('the healthy job on the last commit', () => statuses(readAllReceipts(repo), 'healthy', last!).length > 0, { timeout: 60_000, interval: 100, watch: [daemon] })
    await waitFor('the flaky job\'s retry on the last commit', () => statuses(readAllReceipts(repo), 'flaky', last!).length === 2, { timeout: 60_000, interval: 100, watch: [daemon] })
    const receipts = readAllReceipts(repo)
    for (const sha of [...commits, last!]) {
      expect(statuses(receipts, 'healthy', sha)).toEqual(['ok'])
      expect(statuses(receipts, 'thrower', sha)).toEqual(['error'])
      expect(statuses(receipts, 'hanger', sha)).toEqual(['timeout'])
      // Failed, retried once after its backoff, failed again: it stays failed.
      expect(statuses(receipts, 'flaky', sha)).toEqual(['error', 'error'])
      expect(statuses(receipts, 'broken', sha)).toEqual([])
    }
    expect(receipts.find(receipt => receipt.job === 'thrower')!.error).toContain('boom from thrower')
    expect(receipts.find(receipt => receipt.job === 'hanger')!.error).toMatch(/timed out after 300 ms/)
    // The JSON lines say the same.
    expect(daemon.runs().filter(run => run.job === 'thrower').map(run => run.status)).toEqual(Array.from({length: 5}).fill('error'))
    expect(daemon.runs().filter(run => run.job === 'hanger').map(run => run.status)).toEqual(Array.from({length: 5}).fill('timeout'))
    expect(daemon.exit).toBeUndefined()

    daemon.signal('SIGTERM')
    expect(await waitExit(daemon, 30_000), daemon.stderr()).toEqual({ code: 0, signal: null })
    expect(leaseRefs(repo)).toEqual([])

    // A start without --retry-failed leaves the failures alone (it exits 1: a job file is broken)...
    const plain = startDaemon(repo, { args: ['--once', '--json'] })
    expect(await waitExit(plain, 30_000), plain.stderr()).toEqual({ code: 1, signal: null })
    expect(plain.stderr()).toContain('gitvan: 1 job file(s) broken (broken): exit code 1 (--allow-failures exits 0)')
    expect(plain.runs()).toEqual([])

    // ...and --retry-failed runs each failed (job, commit) once more.
    const retry = startDaemon(repo, { args: ['--retry-failed', '--json', '--concurrency', '8'] })
    const all = [...commits, last!]
    await waitFor('one more run of each failed job on every commit', () => {
      const now = readAllReceipts(repo)
      return haveReceipts('flaky', all, 3)(now) && haveReceipts('thrower', all, 2)(now) && haveReceipts('hanger', all, 2)(now)
    }, { timeout: 60_000, interval: 100, watch: [retry] })
    retry.signal('SIGTERM')
    expect(await waitExit(retry, 30_000), retry.stderr()).toEqual({ code: 0, signal: null })
    const after = readAllReceipts(repo)
    for (const sha of all) {
      expect(statuses(after, 'healthy', sha)).toEqual(['ok'])
      expect(statuses(after, 'flaky', sha)).toEqual(['error', 'error', 'error'])
      expect(statuses(after, 'thrower', sha)).toEqual(['error', 'error'])
      expect(statuses(after, 'hanger', sha)).toEqual(['timeout', 'timeout'])
    }
    expect(leaseRefs(repo)).toEqual([])
  }, 120_000)

  it('with --once, waits out a retry\'s backoff; the failure then stays until --retry-failed', async () => {
    const repo = initRepo(tempDir(), { 'gitvan.config.mjs': configFile({ locks: { ttl: 2000 } }), 'jobs/flaky.ts': jobs['jobs/flaky.ts'] })
    const commits = importCommits(repo, 2)
    // Exit code 1 when a run of this `--once` ended failed, 0 when it ran nothing.
    const once = async (code: number, ...args: string[]) => {
      const daemon = startDaemon(repo, { args: ['--once', '--json', ...args] })
      expect(await waitExit(daemon, 30_000), daemon.stderr()).toEqual({ code, signal: null })
      return daemon.runs().map(run => run.status)
    }

    // The first run and its retry, 100 ms later, both in the same `--once`.
    expect(await once(1)).toEqual(['error', 'error', 'error', 'error'])
    expect(await once(0)).toEqual([])
    expect(await once(1, '--retry-failed')).toEqual(['error', 'error'])
    expect(await once(0)).toEqual([])
    const receipts = readAllReceipts(repo)
    for (const sha of commits) expect(statuses(receipts, 'flaky', sha)).toEqual(['error', 'error', 'error'])
    expect(leaseRefs(repo)).toEqual([])
  })
})
