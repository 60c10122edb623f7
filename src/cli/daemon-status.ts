import { listRunners } from '../locks/runners'
import { readSnapshot } from '../daemon/snapshot'
import { readState } from '../daemon/state'
import { git } from '../git/command'
import { withApp } from './shared'

/** `gitvan daemon status`: what the daemons have settled per branch, and who holds leases now. */
export async function printStatus(args: { cwd?: string; config?: string; json?: boolean }): Promise<void> {
  return withApp(args, async (app) => {
    const cwd = app.repo.root
    const [{ state }, snapshot, leases] = await Promise.all([readState(cwd), readSnapshot(cwd), listRunners(cwd)])
    const lines = await Promise.all([...snapshot.branches].map(async ([branch, tip]) => {
      const settled = state?.heads[branch] ?? null
      const behind = settled === tip ? 0 : settled ? await countBetween(cwd, settled, tip) : null
      return { branch, tip, settled, behind }
    }))
    const holders = [...new Set(leases.filter(lease => !lease.expired).map(lease => `${lease.content?.owner} (pid ${lease.content?.pid} on ${lease.content?.host})`))]
    const status = { started: state !== null, branches: lines, leases: leases.length, expiredLeases: leases.filter(lease => lease.expired).length, holders, schedules: state?.schedules ?? {} }
    if (args.json) {
      console.log(JSON.stringify(status, null, 2))
      return
    }
    if (!state) console.log('No daemon has run in this repository yet (refs/gitvan/state is absent).')
    for (const line of lines) {
      const where = line.settled === null ? 'not processed yet' : line.behind === 0 ? 'up to date' : `${line.behind ?? '?'} commit(s) to process`
      console.log(`${line.branch.padEnd(24)} ${line.tip.slice(0, 7)}  ${where}`)
    }
    console.log(`leases: ${status.leases} (${status.expiredLeases} expired)${holders.length > 0 ? `, held by ${holders.join(', ')}` : ''}`)
  })
}

async function countBetween(cwd: string, from: string, to: string): Promise<number | null> {
  try {
    return Number(await git(['rev-list', '--count', '--first-parent', '--end-of-options', to, `^${from}`], { cwd }))
  } catch {
    return null
  }
}
