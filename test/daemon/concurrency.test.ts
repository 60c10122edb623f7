import { existsSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../utils/repo'
import { type DaemonProcess, killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { commitsOf, configFile, exactlyOnceProblems, importCommits, initRepo, leaseRefs, readAllReceipts } from './fixtures/repo'

// Several real `gitvan daemon` processes on one repository: every (job, commit) must get exactly one receipt,
// whichever daemon runs it, and no lease may be left behind.

afterEach(killDaemons)

const JOBS = ['a', 'b']
// `b` awaits a little, so a daemon's batch lasts long enough for the others to find its leases held.
const jobFiles = {
  'jobs/a.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
  'jobs/b.ts': 'export default defineJob({ on: { commit: true }, async run() { await new Promise(resolve => setTimeout(resolve, 1)); return { ok: true } } })\n',
}

/** The (job, commit) pairs reported by more than one daemon's JSON `run` lines. */
function reportedTwice(daemons: DaemonProcess[]): string[] {
  const seen = new Map<string, number>()
  for (const daemon of daemons) {
    for (const run of daemon.runs()) seen.set(`${run.job} ${run.sha}`, (seen.get(`${run.job} ${run.sha}`) ?? 0) + 1)
  }
  return [...seen].filter(([, count]) => count > 1).map(([pair]) => pair)
}

describe('daemons sharing a repository', () => {
  it('4 `daemon --once` started together over 500 new commits run each (job, commit) exactly once', async () => {
    const repo = initRepo(tempDir(), { 'gitvan.config.mjs': configFile({ locks: { ttl: 2000 } }), ...jobFiles })
    const commits = importCommits(repo, 500)

    const daemons = Array.from({ length: 4 }, () => startDaemon(repo, { args: ['--once', '--lookback', '1000', '--json'] }))
    const exits = await Promise.all(daemons.map(daemon => waitExit(daemon, 90_000)))

    expect(exits, daemons.map(daemon => daemon.stderr()).join('\n')).toEqual(daemons.map(() => ({ code: 0, signal: null })))
    const receipts = readAllReceipts(repo)
    expect(receipts).toHaveLength(1000)
    expect(receipts.filter(receipt => receipt.ok && receipt.status === 'ok')).toHaveLength(1000)
    expect(exactlyOnceProblems(receipts, JOBS, commits)).toEqual([])
    // What the daemons reported matches what they recorded: 1,000 runs in all, none reported twice.
    expect(daemons.flatMap(daemon => daemon.runs())).toHaveLength(1000)
    expect(reportedTwice(daemons)).toEqual([])
    expect(leaseRefs(repo)).toEqual([])
  }, 120_000)

  it('4 long-running daemons run each of 200 commits made while they run exactly once, and exit 0 on SIGTERM', async () => {
    const ready = tempDir()
    const repo = initRepo(tempDir(), { 'gitvan.config.mjs': configFile({ locks: { ttl: 2000 }, daemon: { pollInterval: 100 } }, ready), ...jobFiles })
    importCommits(repo, 1)

    const daemons = Array.from({ length: 4 }, () => startDaemon(repo, { args: ['--lookback', '1000', '--json'] }))
    // Each has looked at the repository once (its watcher is up) before the commits come.
    await waitFor('every daemon to finish its first tick', () => daemons.every(daemon => existsSync(join(ready, `ready-${daemon.pid}`))), { timeout: 60_000, watch: daemons })

    // 200 commits in 20 pushes of 10, landing while the daemons work on the previous ones.
    for (let push = 0; push < 20; push++) {
      importCommits(repo, 10)
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    const commits = commitsOf(repo)
    expect(commits).toHaveLength(201)
    await waitFor('a receipt for every (job, commit)', () => readAllReceipts(repo).length >= JOBS.length * commits.length, { timeout: 90_000, interval: 200, watch: daemons })

    for (const daemon of daemons) daemon.signal('SIGTERM')
    const exits = await Promise.all(daemons.map(daemon => waitExit(daemon, 30_000)))

    expect(exits, daemons.map(daemon => daemon.stderr()).join('\n')).toEqual(daemons.map(() => ({ code: 0, signal: null })))
    const receipts = readAllReceipts(repo)
    expect(exactlyOnceProblems(receipts, JOBS, commits)).toEqual([])
    expect(receipts).toHaveLength(JOBS.length * commits.length)
    expect(reportedTwice(daemons)).toEqual([])
    expect(leaseRefs(repo)).toEqual([])
  }, 120_000)
})
