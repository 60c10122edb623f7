import { existsSync, readFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../utils/repo'
import { killDaemons, seededRandom, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { configFile, exactlyOnceProblems, importCommits, initRepo, leaseRefs, readAllReceipts } from './fixtures/repo'

// `kill -9` a daemon at (seeded) random points of a backlog, several times, then let `daemon --once` finish:
// the leases of the dead ones expire (locks.ttl) and are taken over, and nothing is recorded twice.

afterEach(killDaemons)

const SEED = 20_241_124
const KILLS = 4
const COMMITS = 300
const JOBS = ['a', 'b']

describe('a daemon killed with SIGKILL mid-backlog', () => {
  it('leaves every (job, commit) to end with exactly one successful receipt', async () => {
    const repo = tempDir()
    const log = join(tempDir(), 'starts.log')
    // Each run notes its start, then takes a few ms: kills land while runs are under way.
    const job = [
      `import { appendFileSync } from 'node:fs'`,
      `export default defineJob({ on: { commit: true }, async run() { appendFileSync(${JSON.stringify(log)}, 's'); await new Promise(resolve => setTimeout(resolve, 8)); return { ok: true } } })`,
      '',
    ].join('\n')
    initRepo(repo, { 'gitvan.config.mjs': configFile({ locks: { ttl: 1000 } }), 'jobs/a.ts': job, 'jobs/b.ts': job })
    const commits = importCommits(repo, COMMITS)
    const starts = () => (existsSync(log) ? readFileSync(log, 'utf8').length : 0)

    const random = seededRandom(SEED)
    const kills: { at: number; recorded: number }[] = []
    for (let n = 0; n < KILLS; n++) {
      // Kill once this daemon started between 10 and 550 runs: before, during or after its first publishes
      // (every 500 ms), and never later than the 600 runs the backlog needs, so the first one always dies.
      const at = starts() + 10 + Math.floor(random() * 540)
      const daemon = startDaemon(repo, { args: ['--once', '--lookback', '1000', '--json'] })
      await waitFor(`${at} run starts`, () => starts() >= at || daemon.exit !== undefined, { timeout: 60_000, interval: 2 })
      if (daemon.exit) {
        // It finished the whole backlog before the chosen point: fine, only less to recover.
        expect(daemon.exit, daemon.stderr()).toEqual({ code: 0, signal: null })
        break
      }
      expect((await daemon.kill()).signal).toBe('SIGKILL')
      kills.push({ at: starts(), recorded: readAllReceipts(repo).length })
    }
    expect(kills.length).toBeGreaterThan(0)

    const final = startDaemon(repo, { args: ['--once', '--lookback', '1000', '--json'] })
    expect(await waitExit(final, 60_000), final.stderr()).toEqual({ code: 0, signal: null })

    const receipts = readAllReceipts(repo)
    expect(exactlyOnceProblems(receipts, JOBS, commits), `kills (run starts, receipts then): ${JSON.stringify(kills)}`).toEqual([])
    expect(receipts).toHaveLength(JOBS.length * COMMITS)
    // Runs cut short by the kills were run again: more starts than receipts.
    expect(starts()).toBeGreaterThan(JOBS.length * COMMITS)
    expect(leaseRefs(repo)).toEqual([])
  }, 120_000)
})
