import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../utils/repo'
import { killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { configFile, importCommits, initRepo, leaseRefs, readAllReceipts } from './fixtures/repo'

// SIGTERM / SIGINT on a real daemon process while a run is under way.

afterEach(killDaemons)

/**
 * A repository with one commit and a job `slow` on it that creates `started` when it begins, then waits
 * `waitMs` (a plain timer: it ignores its abort signal, like a hung network call would).
 */
function setup(options: { grace?: number; waitMs: number; hangFlag?: string }) {
  const started = join(tempDir(), 'started')
  const hang = options.hangFlag ? `existsSync(${JSON.stringify(options.hangFlag)})` : 'true'
  const repo = initRepo(tempDir(), {
    'gitvan.config.mjs': configFile({ locks: { ttl: 2000 }, daemon: { pollInterval: 100, ...(options.grace === undefined ? {} : { grace: options.grace }) } }),
    'jobs/slow.ts': [
      `import { existsSync, writeFileSync } from 'node:fs'`,
      'export default defineJob({',
      '  on: { commit: true },',
      '  async run() {',
      `    writeFileSync(${JSON.stringify(started)}, '')`,
      `    if (${hang}) await new Promise(resolve => setTimeout(resolve, ${options.waitMs}))`,
      '    return { ok: true }',
      '  },',
      '})',
      '',
    ].join('\n'),
  })
  const [commit] = importCommits(repo, 1)
  return { repo, commit: commit!, started }
}

describe('gitvan daemon on SIGTERM', () => {
  it('lets a running run finish, writes its receipt, releases its leases and exits 0', async () => {
    const { repo, commit, started } = setup({ waitMs: 1500 })
    const daemon = startDaemon(repo)
    await waitFor('the run to start', () => existsSync(started), { watch: [daemon] })

    daemon.signal('SIGTERM')
    expect(await waitExit(daemon, 30_000), daemon.stderr()).toEqual({ code: 0, signal: null })

    expect(daemon.stderr()).toContain('SIGTERM: finishing running jobs')
    const receipts = readAllReceipts(repo)
    expect(receipts.map(receipt => [receipt.job, receipt.sha, receipt.status])).toEqual([['slow', commit, 'ok']])
    expect(daemon.runs().map(run => [run.job, run.sha, run.status])).toEqual([['slow', commit, 'ok']])
    expect(leaseRefs(repo)).toEqual([])
  })

  it('gives a hung run `daemon.grace`, then exits 0 without its receipt; the next start runs it', async () => {
    const hangFlag = join(tempDir(), 'hang')
    writeFileSync(hangFlag, '')
    const { repo, commit, started } = setup({ grace: 200, waitMs: 600_000, hangFlag })
    const daemon = startDaemon(repo)
    await waitFor('the run to start', () => existsSync(started), { watch: [daemon] })

    daemon.signal('SIGTERM')
    // Grace (200 ms), then the abort, which work ignoring its signal gets a few seconds to honour: well within
    // 20 s, where waiting for the run (10 minutes) would not be.
    expect(await waitExit(daemon, 20_000), daemon.stderr()).toEqual({ code: 0, signal: null })
    expect(readAllReceipts(repo)).toEqual([])
    expect(daemon.runs()).toEqual([])
    expect(leaseRefs(repo)).toEqual([])

    // The interrupted run was not recorded, so the next start runs it (this time it does not hang).
    rmSync(hangFlag)
    const next = startDaemon(repo, { args: ['--once', '--json'] })
    expect(await waitExit(next, 30_000), next.stderr()).toEqual({ code: 0, signal: null })
    expect(readAllReceipts(repo).map(receipt => [receipt.job, receipt.sha, receipt.status])).toEqual([['slow', commit, 'ok']])
    expect(leaseRefs(repo)).toEqual([])
  })

  it.each(['SIGINT', 'SIGTERM'] as const)('exits at once with 130 on a second signal (%s) during the grace', async (second) => {
    const { repo, started } = setup({ grace: 120_000, waitMs: 600_000 })
    const daemon = startDaemon(repo)
    await waitFor('the run to start', () => existsSync(started), { watch: [daemon] })

    daemon.signal('SIGTERM')
    await waitFor('the daemon to acknowledge SIGTERM', () => daemon.stderr().includes('SIGTERM: finishing running jobs'), { watch: [daemon] })
    daemon.signal(second)
    // "At once": far sooner than the 2-minute grace it was in.
    expect(await waitExit(daemon, 20_000), daemon.stderr()).toEqual({ code: 130, signal: null })
    expect(daemon.stderr()).toContain(`second ${second}: exiting now`)
    expect(readAllReceipts(repo)).toEqual([])
  })
})
