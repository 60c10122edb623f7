import { defineGitVanCommand } from '../command'
import { clearExpiredLeases, listLeases } from '../../locks/lease'
import { parseLeaseRef } from '../../locks/lease-ref'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'locks', description: 'List the leases (locks) under refs/gitvan/locks/' },
  args: {
    'clear-expired': { type: 'boolean', description: 'Delete expired leases (each by compare-and-swap)' },
    'json': { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    return withApp(args, async (app) => {
      const cwd = app.repo.root
      if (args['clear-expired']) {
        const removed = await clearExpiredLeases(cwd)
        console.log(args.json ? JSON.stringify(removed.map(lease => lease.ref)) : `removed ${removed.length} expired lease(s)`)
        return
      }
      const leases = (await listLeases(cwd)).map(lease => ({ ...parseLeaseRef(lease.ref), ref: lease.ref, expired: lease.expired, ...lease.content, problem: lease.problem ?? undefined }))
      if (args.json) {
        console.log(JSON.stringify(leases, null, 2))
        return
      }
      if (leases.length === 0) console.log('No leases held.')
      for (const lease of leases) {
        const until = lease.expiresAt ? new Date(lease.expiresAt).toISOString() : '?'
        console.log(`${lease.job ?? lease.ref}  ${lease.key?.slice(0, 20) ?? ''}  ${lease.expired ? 'EXPIRED' : 'held'} by ${lease.owner ?? '?'} until ${until}${lease.problem ? `  (${lease.problem})` : ''}`)
      }
    })
  },
})
