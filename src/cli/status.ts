import { remoteBranchesPrefix } from '../daemon/remote-sync'
import { readSnapshot } from '../daemon/snapshot'
import { SEEN_REF, STATE_REF, readState } from '../daemon/state'
import { git } from '../git/command'
import { readLedger } from '../locks/claims'
import { LEASE_PREFIX } from '../locks/lease'
import { createRunnerLiveness, listRunners } from '../locks/runners'
import { describeRunner, runnerRow } from './runner-rows'
import type { RunnerRow } from './runner-rows'
import { fetchForReading, withApp } from './shared'

export interface RunnerStatus extends RunnerRow {
  live: boolean
  /** Why it counts as dead, when it does. */
  dead: string | null
  /** What it runs now (`job key`), as of its last report. */
  running: string[]
  /** Pending commits per worktree, as of its last report. */
  pending: Record<string, number>
  /** Items it has claimed. */
  claimed: number
}

/**
 * `gitvan status` (`gitvan daemon status`): whether a daemon runs on this repository now (its runner lease is
 * live: renewed every third of `locks.ttl`, even while idle), on which machine, what it runs and what is pending
 * per worktree, and how far each branch is settled (with a remote: the remote's branches, fetched first).
 */
export async function printStatus(args: { cwd?: string; config?: string; remote?: string; json?: boolean }): Promise<void> {
  return withApp(args, async (app) => {
    const cwd = app.repo.root
    const remote = app.refs.remote
    await fetchForReading(app, [LEASE_PREFIX, STATE_REF, SEEN_REF, ...(remote ? [`+refs/heads/*:${remoteBranchesPrefix(remote)}*`] : [])])
    const [{ state }, snapshot, records, { ledger }] = await Promise.all([readState(cwd), readSnapshot(cwd, app.repo.commonDir, remote ? remoteBranchesPrefix(remote) : undefined), listRunners(cwd), readLedger(cwd)])
    const liveness = createRunnerLiveness(app.options.locks.ttl)
    const runners: RunnerStatus[] = records.map((record) => {
      const row = runnerRow(record)
      const dead = liveness.deadBecause(record)
      return {
        ...row,
        live: dead === null,
        dead,
        running: Array.isArray(row.info.running) ? row.info.running as string[] : [],
        pending: typeof row.info.pending === 'object' && row.info.pending !== null ? row.info.pending as Record<string, number> : {},
        claimed: Object.values(ledger.claims).filter(claim => claim.runner === record.ref).reduce((sum, claim) => sum + claim.items.length, 0),
      }
    })
    const branches = await Promise.all([...snapshot.branches].map(async ([branch, tip]) => {
      const settled = state?.heads[branch] ?? null
      const behind = settled === tip ? 0 : settled ? await countBetween(cwd, settled, tip) : null
      return { branch, tip, settled, behind }
    }))
    const live = runners.filter(runner => runner.live)
    const status = {
      running: live.length > 0,
      remote: remote ?? null,
      runners,
      started: state !== null,
      branches,
      schedules: state?.schedules ?? {},
      holders: live.map(runner => `${runner.owner} (pid ${runner.pid} on ${runner.host})`),
    }
    if (args.json) {
      console.log(JSON.stringify(status, null, 2))
      return
    }
    if (live.length === 0) console.log(`No daemon is running on this repository (no live runner lease under refs/gitvan/locks/runners/)${remote ? `; coordinated through ${remote}` : ''}.`)
    for (const runner of runners) {
      const version = typeof runner.info.version === 'string' ? `  GitVan ${runner.info.version}` : ''
      console.log(`${runner.live ? 'running' : 'dead'}  ${runner.owner ?? runner.ref}${version}  ${describeRunner(runner)}${runner.dead ? `  (${runner.dead})` : ''}`)
      if (runner.running.length > 0) console.log(`  running: ${runner.running.map(item => item.replace(/ ([0-9a-f]{7})[0-9a-f]{33}$/, ' $1')).join(', ')}`)
      const pending = Object.entries(runner.pending)
      if (pending.length > 0) console.log(`  pending: ${pending.map(([worktree, count]) => `${worktree} ${count} commit(s)`).join(', ')}`)
      if (runner.claimed > 0) console.log(`  claimed: ${runner.claimed} item(s)`)
    }
    if (!state) console.log('No daemon has run in this repository yet (refs/gitvan/state is absent).')
    for (const line of branches) {
      const where = line.settled === null ? 'not processed yet' : line.behind === 0 ? 'up to date' : `${line.behind ?? '?'} commit(s) to process`
      console.log(`${line.branch.padEnd(24)} ${line.tip.slice(0, 7)}  ${where}`)
    }
  })
}

async function countBetween(cwd: string, from: string, to: string): Promise<number | null> {
  try {
    return Number(await git(['rev-list', '--count', '--first-parent', '--end-of-options', to, `^${from}`], { cwd }))
  } catch {
    return null
  }
}
