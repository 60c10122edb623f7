import { once } from 'node:events'
import { renameSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { refTransaction } from '../../src/git/refs'
import { LeaseError, acquireLease, clearExpiredLeases, keepLeaseAlive, leaseVerifyOp, listLeases, releaseLease } from '../../src/locks/lease'
import { createRepo, sh } from '../utils/repo'
import { TTL, commitWith, later, refOf, refValue, setRef } from './fixtures/lease-repo'

const owner = 'daemon-1'

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describe('leaseVerifyOp', () => {
  it('lets a transaction publish only while the lease is still held', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    const lease = await acquireLease(repo, refOf('fenced'), { owner, ttl: TTL })
    expect(await refTransaction(repo, [leaseVerifyOp(lease!), { ref: 'refs/gitvan/results-1', oldValue: null, newValue: head }])).toBe(true)
    await acquireLease(repo, lease!.ref, { owner: 'taker', ttl: TTL, now: later() })
    expect(await refTransaction(repo, [leaseVerifyOp(lease!), { ref: 'refs/gitvan/results-2', oldValue: null, newValue: head }])).toBe(false)
    expect(refValue(repo, 'refs/gitvan/results-1')).toBe(head)
    expect(refValue(repo, 'refs/gitvan/results-2')).toBeNull()
  })
})

describe('listLeases and clearExpiredLeases', () => {
  async function threeLeases() {
    const repo = createRepo()
    const live = await acquireLease(repo, refOf('live'), { owner: 'live', ttl: TTL })
    const expired = await acquireLease(repo, refOf('expired'), { owner: 'gone', ttl: TTL, now: 1000 })
    const corrupt = commitWith(repo, { 'lease.json': '{' })
    setRef(repo, refOf('corrupt'), corrupt)
    setRef(repo, 'refs/gitvan/other/not-a-lease', corrupt)
    return { repo, live: live!, expired: expired!, corrupt }
  }

  it('list every lease under the prefix with its content and whether it expired', async () => {
    const { repo, live, expired, corrupt } = await threeLeases()
    expect(await listLeases(repo)).toEqual([
      { ref: refOf('corrupt'), id: corrupt, content: null, problem: expect.stringMatching(/^Corrupted lease .*: lease\.json is not valid JSON;/), expired: true },
      { ref: refOf('expired'), id: expired.id, content: expect.objectContaining({ owner: 'gone', expiresAt: 1000 + TTL }), problem: null, expired: true },
      { ref: refOf('live'), id: live.id, content: expect.objectContaining({ owner: 'live', pid: process.pid }), problem: null, expired: false },
    ])
    expect((await listLeases(repo, 'refs/gitvan/locks/', { now: later() })).map(record => record.expired)).toEqual([true, true, true])
    expect(await listLeases(repo, 'refs/gitvan/locks/wt-main/')).toEqual([])
    await expect(listLeases(repo, 'refs/gitvan/locks')).rejects.toThrow(/^Invalid lease prefix "refs\/gitvan\/locks" in .*: pass a ref prefix ending in "\/" \(e\.g\. refs\/gitvan\/locks\/\)$/)
    await expect(listLeases(repo, 'refs/gitvan locks/')).rejects.toThrow(/^Invalid lease prefix "refs\/gitvan locks"/)
  })

  it('clear only expired and corrupted leases, returning what it removed', async () => {
    const { repo, live, expired, corrupt } = await threeLeases()
    const removed = await clearExpiredLeases(repo)
    expect(removed.map(record => [record.ref, record.id])).toEqual([[refOf('corrupt'), corrupt], [refOf('expired'), expired.id]])
    expect(sh(repo, 'for-each-ref', '--format=%(refname)', 'refs/gitvan/')).toBe(`refs/gitvan/locks/repo/test%3Ajob/live\nrefs/gitvan/other/not-a-lease`)
    expect(await clearExpiredLeases(repo)).toEqual([])
    expect(refValue(repo, live.ref)).toBe(live.id)
    expect((await clearExpiredLeases(repo, { now: later() })).map(record => record.ref)).toEqual([live.ref])
  })
})

describe('keepLeaseAlive', () => {
  it('renews until stopped, then hands back the lease to release', async () => {
    const repo = createRepo()
    const lease = await acquireLease(repo, refOf('kept'), { owner, ttl: TTL })
    const keeper = keepLeaseAlive(repo, lease!, { ttl: TTL, interval: 20 })
    await waitUntil(() => keeper.current()!.id !== lease!.id, 'a renewal')
    const last = await keeper.stop()
    expect(last).toEqual(keeper.current())
    expect(last!.nonce).toBe(lease!.nonce)
    expect(refValue(repo, lease!.ref)).toBe(last!.id)
    expect(keeper.signal.aborted).toBe(false)
    expect(await releaseLease(repo, last!)).toBe(true)
  })

  it('aborts its signal when another owner takes the lease over, and leaves theirs alone', async () => {
    const repo = createRepo()
    const lease = await acquireLease(repo, refOf('lost'), { owner, ttl: TTL })
    const keeper = keepLeaseAlive(repo, lease!, { ttl: TTL, interval: 20 })
    const aborted = once(keeper.signal, 'abort')
    // The keeper renews every 20 ms: a takeover may lose to a renewal and is tried again.
    const taker = await acquireLease(repo, lease!.ref, { owner: 'taker', ttl: TTL, now: later(), wait: 20_000 })
    await aborted
    expect(keeper.signal.reason).toEqual(new LeaseError(`Lost lease ${lease!.ref} in ${repo}: another owner took it over; stop the work it guards`))
    expect(keeper.current()).toBeNull()
    expect(await keeper.stop()).toBeNull()
    expect(refValue(repo, lease!.ref)).toBe(taker!.id)
  })

  it('aborts its signal when renewals keep failing until the lease has expired', async () => {
    const repo = createRepo()
    const lease = await acquireLease(repo, refOf('unreachable'), { owner, ttl: 300 })
    const keeper = keepLeaseAlive(repo, lease!, { ttl: 300, interval: 20 })
    const aborted = once(keeper.signal, 'abort')
    // Without its .git the repository is gone for git: every renewal fails.
    renameSync(join(repo, '.git'), join(repo, 'moved.git'))
    await aborted
    expect((keeper.signal.reason as Error).message).toMatch(/^Lost lease .* it expired while renewals failed \(.*not a git repository/)
    expect(await keeper.stop()).toBeNull()
  })

  it('refuses a renewal interval that is not shorter than the ttl', async () => {
    const repo = createRepo()
    const lease = await acquireLease(repo, refOf('interval'), { owner, ttl: TTL })
    expect(() => keepLeaseAlive(repo, lease!, { ttl: TTL, interval: TTL }))
      .toThrow(new LeaseError(`Invalid renewal interval ${TTL} for ${lease!.ref} (ttl ${TTL}) in ${repo}: renew more often than the ttl, e.g. ttl / 3`))
    expect(() => keepLeaseAlive(repo, lease!, { ttl: 'x' as never })).toThrow(/^Invalid renewal interval NaN/)
  })
})
