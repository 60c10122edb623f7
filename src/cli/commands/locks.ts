import { readLedger } from '../../locks/claims'
import { LEASE_PREFIX, clearExpiredLeases } from '../../locks/lease'
import { RUNNERS_PREFIX, listRunners } from '../../locks/runners'
import { defineGitVanCommand } from '../command'
import { describeRunner, runnerRow } from '../runner-rows'
import { commonArgs, fetchForReading, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'locks', description: 'List the runners (daemons) holding leases and the work each has claimed' },
  args: {
    'clear-expired': { type: 'boolean', description: 'Delete expired runner leases (each by compare-and-swap); their claims go with the next daemon that looks' },
    'json': { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    return withApp(args, async (app) => {
      const cwd = app.repo.root
      if (args['clear-expired']) {
        const removed = await clearExpiredLeases(app.refs, { prefix: RUNNERS_PREFIX })
        console.log(args.json ? JSON.stringify(removed.map(lease => lease.ref)) : `removed ${removed.length} expired lease(s)`)
        return
      }
      await fetchForReading(app, [LEASE_PREFIX])
      const [runners, { ledger }] = await Promise.all([listRunners(cwd), readLedger(cwd)])
      const claims = Object.entries(ledger.claims).map(([id, claim]) => ({ id, ...claim }))
      const rows = runners.map(runner => ({
        ...runnerRow(runner),
        claims: claims.filter(claim => claim.runner === runner.ref).map(({ id, since, items, groups }) => ({ id, since, items, groups })),
      }))
      const orphans = claims.filter(claim => !runners.some(runner => runner.ref === claim.runner))
      if (args.json) {
        console.log(JSON.stringify({ runners: rows, orphanClaims: orphans }, null, 2))
        return
      }
      if (rows.length === 0 && orphans.length === 0) console.log('No leases held.')
      for (const row of rows) {
        const until = row.expiresAt ? new Date(row.expiresAt).toISOString() : '?'
        const items = row.claims.reduce((sum, claim) => sum + claim.items.length, 0)
        console.log(`${row.owner ?? row.ref}  ${describeRunner(row)}  ${row.expired ? 'EXPIRED' : 'live'} until ${until}  ${row.claims.length} claim(s), ${items} item(s)${row.problem ? `  (${row.problem})` : ''}`)
        for (const claim of row.claims) console.log(`  claim ${claim.id}: ${claim.items.slice(0, 3).join(', ')}${claim.items.length > 3 ? `, … (${claim.items.length})` : ''}`)
      }
      for (const claim of orphans) console.log(`claim ${claim.id} of ${claim.runner} (gone): ${claim.items.length} item(s), taken over by the next daemon that looks`)
    })
  },
})
