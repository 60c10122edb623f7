import { rmSync } from 'node:fs'
import { acquireLease, releaseLease } from '../src/locks/lease'
import { report, tempRepo } from './utils'

const COUNT = 300
const options = { owner: 'bench', ttl: 60_000 }

/** Leases per second taken and given back one by one (three git processes each): a daemon's runner lease. */
export default async function () {
  const repo = tempRepo()
  const started = performance.now()
  for (let i = 0; i < COUNT; i++) {
    const ref = `refs/gitvan/locks/bench/lease-${i}`
    const lease = await acquireLease(repo, ref, options)
    if (!lease || !(await releaseLease(repo, lease))) throw new Error(`lease ${ref} was not taken and given back`)
  }
  report(`acquire+release ${COUNT} leases one by one`, COUNT / ((performance.now() - started) / 1000), 'leases/s')
  rmSync(repo, { recursive: true, force: true })
}
