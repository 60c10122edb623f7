import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { GitError } from '../../src/git/error'
import { LeaseError, acquireLease, readLease, releaseLease, renewLease, takeOverLease } from '../../src/locks/lease'
import { createRepo, sh, tempDir } from '../utils/repo'
import { TTL, commitWith, gitIn, later, refOf, refValue, setRef } from './fixtures/lease-repo'

const owner = 'daemon-1'

describe('acquireLease', () => {
  it('takes an absent lease: a root commit whose lease.json says who holds it until when', async () => {
    const repo = createRepo()
    const ref = refOf('take')
    const lease = await acquireLease(repo, ref, { owner, ttl: TTL, now: 1_700_000_000_000 })
    expect(lease).toEqual({ ref, id: refValue(repo, ref), owner, nonce: expect.stringMatching(/^[0-9a-f]{16}$/), expiresAt: 1_700_000_000_000 + TTL })
    const commit = sh(repo, 'cat-file', 'commit', lease!.id)
    expect(commit).not.toMatch(/^parent /m)
    expect(commit).toMatch(/^committer GitVan <gitvan@localhost> 0 \+0000$/m)
    expect(sh(repo, 'ls-tree', '--name-only', lease!.id)).toBe('lease.json')
    expect(JSON.parse(sh(repo, 'show', `${lease!.id}:lease.json`))).toEqual({ owner, host: hostname(), pid: process.pid, nonce: lease!.nonce, expiresAt: lease!.expiresAt })
    // fast-import's scratch branch is never written.
    expect(sh(repo, 'for-each-ref', 'refs/gitvan/tmp/')).toBe('')
  })

  it('needs no git identity: works with an empty HOME and user.useConfigOnly', async () => {
    const repo = createRepo()
    sh(repo, 'config', 'user.useConfigOnly', 'true')
    const saved = { ...process.env }
    process.env.HOME = tempDir()
    process.env.XDG_CONFIG_HOME = process.env.HOME
    for (const name of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL']) delete process.env[name]
    try {
      expect(await acquireLease(repo, refOf('no-identity'), { owner, ttl: TTL })).not.toBeNull()
    } finally {
      process.env = saved
    }
  })

  it('refuses a lease someone else holds and leaves it untouched', async () => {
    const repo = createRepo()
    const ref = refOf('held')
    const first = await acquireLease(repo, ref, { owner: 'first', ttl: TTL })
    expect(await acquireLease(repo, ref, { owner: 'second', ttl: TTL })).toBeNull()
    expect(refValue(repo, ref)).toBe(first!.id)
    expect(await readLease(repo, ref)).toMatchObject({ id: first!.id, content: { owner: 'first' }, problem: null, expired: false })
  })

  it('takes over an expired lease; the old holder can then neither renew nor release it', async () => {
    const repo = createRepo()
    const ref = refOf('expired')
    const old = await acquireLease(repo, ref, { owner: 'old', ttl: TTL })
    const taker = await acquireLease(repo, ref, { owner: 'taker', ttl: TTL, now: later() })
    expect(taker).not.toBeNull()
    expect(refValue(repo, ref)).toBe(taker!.id)
    expect(await renewLease(repo, old!, TTL)).toBeNull()
    expect(await releaseLease(repo, old!)).toBe(false)
    expect(refValue(repo, ref)).toBe(taker!.id)
  })

  it('waits, backing off, until the holder releases', async () => {
    const repo = createRepo()
    const ref = refOf('wait')
    const holder = await acquireLease(repo, ref, { owner: 'holder', ttl: TTL })
    const waiting = acquireLease(repo, ref, { owner: 'waiter', ttl: TTL, wait: 20_000 })
    setTimeout(() => void releaseLease(repo, holder!), 50)
    const lease = await waiting
    expect(lease).toMatchObject({ owner: 'waiter', id: refValue(repo, ref) })
  })

  it('gives up when the wait ends with the lease still held', async () => {
    const repo = createRepo()
    const ref = refOf('wait-out')
    await acquireLease(repo, ref, { owner: 'holder', ttl: TTL })
    expect(await acquireLease(repo, ref, { owner: 'waiter', ttl: TTL, wait: 100 })).toBeNull()
  })
})

describe('takeOverLease: the race between two processes judging one lease expired', () => {
  it('A judges expired, B takes over first: A gets nothing and B keeps its lease', async () => {
    const repo = createRepo()
    const ref = refOf('race')
    await acquireLease(repo, ref, { owner: 'crashed', ttl: TTL })
    const judgedByA = await readLease(repo, ref, { now: later() })
    expect(judgedByA!.expired).toBe(true)
    const b = await acquireLease(repo, ref, { owner: 'B', ttl: TTL, now: later() })
    expect(b).not.toBeNull()
    expect(await takeOverLease(repo, judgedByA!, { owner: 'A', ttl: TTL, now: later() })).toBeNull()
    expect(refValue(repo, ref)).toBe(b!.id)
    expect(await readLease(repo, ref)).toMatchObject({ content: { owner: 'B' }, expired: false })
  })

  it('A judges expired, the holder renews first: A gets nothing', async () => {
    const repo = createRepo()
    const ref = refOf('renewed')
    const holder = await acquireLease(repo, ref, { owner: 'slow', ttl: TTL })
    const judgedByA = await readLease(repo, ref, { now: later() })
    const renewed = await renewLease(repo, holder!, TTL)
    expect(await takeOverLease(repo, judgedByA!, { owner: 'A', ttl: TTL })).toBeNull()
    expect(refValue(repo, ref)).toBe(renewed!.id)
  })

  it('takes over when nobody moved first, and refuses a lease that is not expired', async () => {
    const repo = createRepo()
    const ref = refOf('take-over')
    await acquireLease(repo, ref, { owner: 'crashed', ttl: TTL, now: 1000 })
    const judged = await readLease(repo, ref)
    const lease = await takeOverLease(repo, judged!, { owner: 'A', ttl: TTL })
    expect(refValue(repo, ref)).toBe(lease!.id)
    const live = await readLease(repo, ref)
    await expect(takeOverLease(repo, live!, { owner: 'B', ttl: TTL }))
      .rejects.toThrow(new LeaseError(`Cannot take over ${ref} in ${repo}: it is held until ${new Date(lease!.expiresAt).toISOString()}; use acquireLease with wait`))
  })
})

describe('renewLease and releaseLease', () => {
  it('renews with a later expiry, the same nonce and a new id; the stale handle is then refused', async () => {
    const repo = createRepo()
    const ref = refOf('renew')
    const lease = await acquireLease(repo, ref, { owner, ttl: TTL, now: 1000 })
    const renewed = await renewLease(repo, lease!, TTL, { now: 5000 })
    expect(renewed).toEqual({ ref, id: refValue(repo, ref), owner, nonce: lease!.nonce, expiresAt: 5000 + TTL })
    expect(renewed!.id).not.toBe(lease!.id)
    expect(await renewLease(repo, lease!, TTL)).toBeNull()
    expect(await releaseLease(repo, lease!)).toBe(false)
    expect(refValue(repo, ref)).toBe(renewed!.id)
  })

  it('releases its own lease once; releasing again reports false', async () => {
    const repo = createRepo()
    const ref = refOf('release')
    const lease = await acquireLease(repo, ref, { owner, ttl: TTL })
    expect(await releaseLease(repo, lease!)).toBe(true)
    expect(refValue(repo, ref)).toBeNull()
    expect(await releaseLease(repo, lease!)).toBe(false)
  })

  it('works on packed refs, with a pack-refs in the middle of a lease\'s life', async () => {
    const repo = createRepo()
    const [a, b, c] = ['packed-a', 'packed-b', 'packed-c'].map(key => refOf(key))
    const leaseA = await acquireLease(repo, a!, { owner, ttl: TTL })
    const leaseB = await acquireLease(repo, b!, { owner, ttl: TTL })
    const leaseC = await acquireLease(repo, c!, { owner, ttl: TTL })
    sh(repo, 'pack-refs', '--all')
    expect(sh(repo, 'for-each-ref', '--format=%(refname)', 'refs/gitvan/')).toBe([a, b, c].join('\n'))
    expect(await acquireLease(repo, a!, { owner: 'other', ttl: TTL })).toBeNull()
    const renewedA = await renewLease(repo, leaseA!, TTL)
    expect(refValue(repo, a!)).toBe(renewedA!.id)
    expect(await releaseLease(repo, leaseB!)).toBe(true)
    expect(refValue(repo, b!)).toBeNull()
    const taker = await acquireLease(repo, c!, { owner: 'taker', ttl: TTL, now: later() })
    expect(await releaseLease(repo, leaseC!)).toBe(false)
    expect(refValue(repo, c!)).toBe(taker!.id)
  })
})

describe('corrupted leases', () => {
  const cases: [string, (repo: string) => string, string][] = [
    ['a blob', repo => gitIn(repo, ['hash-object', '-w', '--stdin'], 'junk'), 'it points to a blob, not a lease commit'],
    ['a tree', repo => sh(repo, 'rev-parse', 'HEAD^{tree}'), 'it points to a tree, not a lease commit'],
    ['a commit without lease.json', repo => commitWith(repo, { 'other.txt': 'x' }), 'its commit has no lease.json'],
    ['invalid JSON', repo => commitWith(repo, { 'lease.json': '{"owner": ' }), 'lease.json is not valid JSON'],
    ['a JSON array', repo => commitWith(repo, { 'lease.json': '[]' }), 'lease.json is not a JSON object'],
    ['no expiresAt', repo => commitWith(repo, { 'lease.json': '{"owner":"x","host":"h","pid":1,"nonce":"n"}' }), 'lease.json has no valid "expiresAt" (number)'],
    ['a string pid', repo => commitWith(repo, { 'lease.json': '{"owner":"x","host":"h","pid":"1","nonce":"n","expiresAt":1}' }), 'lease.json has no valid "pid" (number)'],
  ]

  it.each(cases)('a lease ref pointing to %s is reported, counts as expired and is taken over by CAS', async (_, make, reason) => {
    const repo = createRepo()
    const ref = refOf('corrupt')
    const bad = make(repo)
    setRef(repo, ref, bad)
    expect(await readLease(repo, ref)).toEqual({
      ref, id: bad, content: null, expired: true,
      problem: `Corrupted lease ${ref} (${bad}): ${reason}; it counts as expired and can be taken over`,
    })
    const lease = await acquireLease(repo, ref, { owner, ttl: TTL })
    expect(refValue(repo, ref)).toBe(lease!.id)
  })
})

describe('bad input', () => {
  it('refuses bad options with one line saying what to pass', async () => {
    const repo = createRepo()
    const ref = refOf('bad')
    const acquire = (options: object) => acquireLease(repo, ref, options as never)
    await expect(acquire({ owner: '', ttl: TTL })).rejects.toThrow(new LeaseError(`Invalid lease owner "" for ${ref} in ${repo}: pass a non-empty string naming the holder`))
    await expect(acquire({ ttl: TTL })).rejects.toThrow(/^Invalid lease owner undefined/)
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5000', undefined]) {
      await expect(acquire({ owner, ttl })).rejects.toThrow(/^Invalid lease ttl .* pass a positive number of milliseconds \(e\.g\. 30000\)$/)
    }
    await expect(acquire({ owner, ttl: TTL, wait: -1 })).rejects.toThrow(/^Invalid lease wait -1 .*: pass milliseconds to keep retrying, or 0$/)
    await expect(acquire({ owner, ttl: TTL, now: Number.NaN })).rejects.toThrow(/^Invalid lease now NaN .*: pass epoch milliseconds, or leave it out$/)
    await expect(acquireLease(repo, 'refs/gitvan/locks/a b', { owner, ttl: TTL })).rejects.toThrow(GitError)
    await expect(acquireLease(repo, 'locks/a', { owner, ttl: TTL })).rejects.toThrow(/^Invalid lease ref "locks\/a" in .*: not a full ref name/)
    expect(refValue(repo, ref)).toBeNull()
  })

  it('refuses handles that are not leases', async () => {
    const repo = createRepo()
    await expect(releaseLease(repo, null as never)).rejects.toThrow(new LeaseError(`Invalid lease null in ${repo}: pass the handle acquireLease returned`))
    await expect(renewLease(repo, { ref: refOf('x'), id: 'HEAD' } as never, TTL)).rejects.toThrow(/^Invalid lease id of refs\/gitvan\/locks\/repo\/test%3Ajob\/x "HEAD"/)
    await expect(readLease(repo, 'not/a ref')).rejects.toThrow(/^Invalid lease ref "not\/a ref"/)
  })

  it('reports a ref name clash with a ref outside the lease scheme as a git error, not as "held"', async () => {
    const repo = createRepo()
    setRef(repo, 'refs/gitvan/locks/repo', sh(repo, 'rev-parse', 'HEAD'))
    await expect(acquireLease(repo, refOf('clash'), { owner, ttl: TTL })).rejects.toThrow(/'refs\/gitvan\/locks\/repo' exists; cannot create/)
  })
})
