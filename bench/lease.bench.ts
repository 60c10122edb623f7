import { rmSync } from 'node:fs'
import { leaseRef } from '../src/locks/lease-ref'
import { acquireLease, acquireLeases, releaseLease, releaseLeases } from '../src/locks/lease'
import { report, tempRepo } from './utils'

const COUNT = 1000
const options = { owner: 'bench', ttl: 60_000 }

function refs(round: string): string[] {
  return Array.from({ length: COUNT }, (_, i) => leaseRef({ job: `bench:job-${i % 10}`, key: `${round}-${i}` }))
}

/** Leases per second taken and given back: one by one (three git processes each) and in batches. */
export default async function () {
  const repo = tempRepo()

  let started = performance.now()
  for (const ref of refs('single')) {
    const lease = await acquireLease(repo, ref, options)
    if (!lease || !(await releaseLease(repo, lease))) throw new Error(`lease ${ref} was not taken and given back`)
  }
  report(`acquire+release ${COUNT} leases one by one`, COUNT / ((performance.now() - started) / 1000), 'leases/s')

  for (const size of [COUNT, 100]) {
    started = performance.now()
    const all = refs(`batch-${size}`)
    for (let start = 0; start < COUNT; start += size) {
      const leases = await acquireLeases(repo, all.slice(start, start + size), options)
      if (leases.includes(null)) throw new Error('a batch lease was not taken')
      if ((await releaseLeases(repo, leases as NonNullable<(typeof leases)[number]>[])).includes(false)) throw new Error('a batch lease was not given back')
    }
    report(`acquire+release ${COUNT} leases, batches of ${size}`, COUNT / ((performance.now() - started) / 1000), 'leases/s')
  }
  rmSync(repo, { recursive: true, force: true })
}
