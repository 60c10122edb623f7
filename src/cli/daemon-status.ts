import { readLedger } from '../locks/claims'
import { LEASE_PREFIX } from '../locks/lease'
import { listRunners } from '../locks/runners'
import { remoteBranchesPrefix } from '../daemon/remote-sync'
import { readSnapshot } from '../daemon/snapshot'
import { STATE_REF, readState } from '../daemon/state'
import { git } from '../git/command'
import { describeRunner, runnerRow } from './runner-rows'
import { fetchForReading, withApp } from './shared'

/**
 * `gitvan status` (`gitvan daemon status`): what the daemons have settled per branch (with a remote: the remote's
 * branches), and which runner on which machine holds what, and when each last reported.
 */
export async function printStatus(args: { cwd?: string; config?: string; remote?: string; json?: boolean }): Promise<void> {
  return withApp(args, async (app) => {
    const cwd = app.repo.root
    const remote = app.refs.remote
    await fetchForReading(app, [LEASE_PREFIX, STATE_REF, ...(remote ? [`+refs/heads/*:${remoteBranchesPrefix(remote)}*`] : [])])
    const [{ state }, snapshot, leases, { ledger }] = await Promise.all([readState(cwd), readSnapshot(cwd, remote ? remoteBranchesPrefix(remote) : undefined), listRunners(cwd), readLedger(cwd)])
    const lines = await Promise.all([...snapshot.branches].map(async ([branch, tip]) => {
      const settled = state?.heads[branch] ?? null
      const behind = settled === tip ? 0 : settled ? await countBetween(cwd, settled, tip) : null
      return { branch, tip, settled, behind }
    }))
    const holders = [...new Set(leases.filter(lease => !lease.expired).map(lease => `${lease.content?.owner} (pid ${lease.content?.pid} on ${lease.content?.host})`))]
    const claimed = Object.values(ledger.claims)
    const runners = leases.map(lease => ({ ...runnerRow(lease), items: claimed.filter(claim => claim.runner === lease.ref).reduce((sum, claim) => sum + claim.items.length, 0) }))
    const status = { started: state !== null, remote: remote ?? null, branches: lines, leases: leases.length, expiredLeases: leases.filter(lease => lease.expired).length, holders, runners, schedules: state?.schedules ?? {} }
    if (args.json) {
      console.log(JSON.stringify(status, null, 2))
      return
    }
    if (!state) console.log('No daemon has run in this repository yet (refs/gitvan/state is absent).')
    for (const line of lines) {
      const where = line.settled === null ? 'not processed yet' : line.behind === 0 ? 'up to date' : `${line.behind ?? '?'} commit(s) to process`
      console.log(`${line.branch.padEnd(24)} ${line.tip.slice(0, 7)}  ${where}`)
    }
    console.log(`leases: ${status.leases} (${status.expiredLeases} expired)${holders.length > 0 ? `, held by ${holders.join(', ')}` : ''}${remote ? `; coordinated through ${remote}` : ''}`)
    for (const runner of runners) console.log(`  ${runner.owner ?? runner.ref} ${describeRunner(runner)}${runner.expired ? ', EXPIRED' : ''}: ${runner.items} item(s) claimed`)
  })
}

async function countBetween(cwd: string, from: string, to: string): Promise<number | null> {
  try {
    return Number(await git(['rev-list', '--count', '--first-parent', '--end-of-options', to, `^${from}`], { cwd }))
  } catch {
    return null
  }
}
