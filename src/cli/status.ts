import { readSnapshot } from '../daemon/snapshot'
import { readState } from '../daemon/state'
import { git } from '../git/command'
import { readLedger } from '../locks/claims'
import { createRunnerLiveness, listRunners } from '../locks/runners'
import { withApp } from './shared'

export interface RunnerStatus {
  ref: string
  owner: string | null
  host: string | null
  pid: number | null
  live: boolean
  /** Why it counts as dead, when it does. */
  dead: string | null
  /** When it last renewed its lease (epoch ms): its heartbeat. */
  lastReport: number | null
  version?: string
  startedAt?: string
  /** What it runs now (`job key`), as of its last report. */
  running: string[]
  /** Pending commits per worktree, as of its last report. */
  pending: Record<string, number>
  /** Items it has claimed. */
  claimed: number
}

/**
 * `gitvan status`: whether a daemon runs on this repository now (its runner lease is live: renewed every third of
 * `locks.ttl`, even while idle), what it runs and what is pending per worktree, and how far each branch is settled.
 */
export async function printStatus(args: { cwd?: string; config?: string; json?: boolean }): Promise<void> {
  return withApp(args, async (app) => {
    const cwd = app.repo.root
    const [{ state }, snapshot, records, { ledger }] = await Promise.all([readState(cwd), readSnapshot(cwd), listRunners(cwd), readLedger(cwd)])
    const liveness = createRunnerLiveness(app.options.locks.ttl)
    const now = Date.now()
    const runners: RunnerStatus[] = records.map((record) => {
      const info = record.content?.info ?? {}
      const ttl = typeof info.ttl === 'number' ? info.ttl : app.options.locks.ttl
      const dead = liveness.deadBecause(record, now)
      return {
        ref: record.ref,
        owner: record.content?.owner ?? null,
        host: record.content?.host ?? null,
        pid: record.content?.pid ?? null,
        live: dead === null,
        dead,
        lastReport: record.content ? record.content.expiresAt - ttl : null,
        ...(typeof info.version === 'string' ? { version: info.version } : {}),
        ...(typeof info.startedAt === 'string' ? { startedAt: info.startedAt } : {}),
        running: Array.isArray(info.running) ? info.running as string[] : [],
        pending: typeof info.pending === 'object' && info.pending !== null ? info.pending as Record<string, number> : {},
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
      runners,
      started: state !== null,
      branches,
      schedules: state?.schedules ?? {},
      // Kept for `gitvan daemon status --json` readers of the first versions.
      holders: live.map(runner => `${runner.owner} (pid ${runner.pid} on ${runner.host})`),
    }
    if (args.json) {
      console.log(JSON.stringify(status, null, 2))
      return
    }
    if (live.length === 0) console.log(`No daemon is running on this repository (no live runner lease under refs/gitvan/locks/runners/).`)
    for (const runner of runners) {
      const ago = runner.lastReport === null ? '?' : `${Math.max(0, Math.round((now - runner.lastReport) / 1000))} s ago`
      console.log(`${runner.live ? 'running' : 'dead'}  ${runner.owner ?? runner.ref}${runner.version ? `  GitVan ${runner.version}` : ''}  last report ${ago}${runner.dead ? `  (${runner.dead})` : ''}`)
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
