import { randomBytes } from 'node:crypto'
import { hostName } from '../utils/host'
import { setTimeout as sleep } from 'node:timers/promises'
import { consola } from 'consola'
import { errorLine } from '../utils/messages'
import { assertOid } from '../git/oid'
import { assertRefName } from '../git/ref-name'
import { listRefs } from '../git/refs'
import { refStoreOf } from '../git/ref-store'
import { RemoteUnreachableError } from '../git/remote'
import type { RefStore, RefTxOp, RefVerifyOp } from '../types/git'
import { casBackoff } from '../git/cas'
import { type LeaseContent, type LeaseRecord, readLeaseRecords, writeLeaseCommit } from './lease-record'
import { describeValue } from '../utils/describe'
import { is, keyPath, object, optional } from '../utils/rules'

export type { LeaseContent, LeaseRecord } from './lease-record'

// Clocks: a lease stores its expiry as epoch ms from the holder's clock, and whoever reads it compares that with
// THEIR OWN clock. Processes sharing a repository usually share a machine, but when clocks disagree by d ms a lease
// can be taken over d ms early. Keep ttl much larger than any expected skew (and than the longest pause between
// renewals, e.g. a stalled event loop). The `now` options stand in for the clock in tests.

/** Where GitVan's leases live: `refs/gitvan/locks/…`. */
export const LEASE_PREFIX = 'refs/gitvan/locks/'

/** A lease you hold: `id` is the lease commit its ref pointed to when you last acquired or renewed it. */
export interface Lease {
  ref: string
  id: string
  owner: string
  nonce: string
  expiresAt: number
  /** The `info` written with it, when there is one. */
  info?: Record<string, unknown>
}

export interface AcquireOptions {
  /** Who holds the lease (e.g. the daemon's id); shown by `gitvan locks`. */
  owner: string
  /** Lifetime in milliseconds from now. */
  ttl: number
  /** Keep retrying (backing off) for up to this many milliseconds while another holder has the lease (default 0). */
  wait?: number
  /** The current time in epoch milliseconds (default `Date.now()`). */
  now?: number
  /** What the holder wants others to see (`lease.json`'s `info`): a daemon's heartbeat, what it runs. */
  info?: Record<string, unknown>
}

export interface KeepAliveOptions {
  ttl: number
  /** Milliseconds between renewals (default ttl / 3). */
  interval?: number
  /** The `info` each renewal writes (default: the lease's own, unchanged). */
  info?: () => Record<string, unknown> | undefined
  /** Told of every renewal that failed and of the loss, besides the warning logged (`gitvan:lease`). */
  onProblem?: (message: string) => void
}

export interface LeaseKeeper {
  /** The lease as last renewed, `null` once it was lost. */
  current(): Lease | null
  /** Aborted (with a `LeaseError`) when the lease is lost: hand it to the run so it stops. */
  signal: AbortSignal
  /** Stop renewing (waiting for a renewal under way); returns the lease still held, for `releaseLease`. */
  stop(): Promise<Lease | null>
  /**
   * Apply a change fenced by the lease: `apply` gets the steps that fail its transaction unless the lease is still
   * held, and returns `null` when the transaction did not go through. Locally the step is a `verify`; a remote
   * cannot check a ref without moving it, so there the step renews the lease (a new lease commit, from the id
   * held). Renewals wait meanwhile, so a fence and a renewal never race. `null` without calling `apply` once lost.
   */
  fenced<T>(apply: (fence: RefTxOp[]) => Promise<T | null>): Promise<T | null>
}

export class LeaseError extends Error {
  override name = 'LeaseError'
}

const logger = consola.withTag('gitvan:lease')

/**
 * Take the lease `ref`: create it when absent, or take it over from an expired holder. `null` while someone else
 * holds it (or is taking it at this very moment: taking never waits for another git process's ref lock).
 */
export async function acquireLease(repo: string | RefStore, ref: string, options: AcquireOptions): Promise<Lease | null> {
  assertAcquire(refStoreOf(repo).cwd, [ref], options)
  const deadline = Date.now() + (options.wait ?? 0)
  for (let attempt = 0; ; attempt++) {
    const lease = await acquireOnce(refStoreOf(repo), ref, options)
    if (lease || Date.now() >= deadline) return lease
    await sleep(Math.min(casBackoff(attempt), deadline - Date.now()))
  }
}

/**
 * Take over the lease `judged` expired, by compare-and-swap from exactly the commit that was judged: if another
 * process took it over (or its holder renewed it) since, this returns `null` and leaves their lease alone.
 */
export async function takeOverLease(repo: string | RefStore, judged: LeaseRecord, options: Omit<AcquireOptions, 'wait'>): Promise<Lease | null> {
  const store = refStoreOf(repo)
  const { cwd } = store
  assertAcquire(cwd, [judged.ref], options)
  assertOid(cwd, judged.id, `lease id of ${judged.ref}`)
  if (!judged.expired) {
    throw new LeaseError(`Cannot take over ${judged.ref} in ${cwd}: it is held until ${new Date(judged.content?.expiresAt ?? 0).toISOString()}; use acquireLease with wait`)
  }
  const content = newContent(options)
  const id = await writeLeaseCommit(cwd, content)
  if (!(await store.casEach([{ ref: judged.ref, oldValue: judged.id, newValue: id }], 'lose'))[0]) return null
  logTakeOver(judged, options.now ?? Date.now())
  return toLease(judged.ref, id, content)
}

/** Extend `lease` to ttl from now, by compare-and-swap from its id. `null` when it was lost (taken over or cleared). */
export async function renewLease(repo: string | RefStore, lease: Lease, ttl: number, options: { now?: number; info?: Record<string, unknown>; until?: number } = {}): Promise<Lease | null> {
  const store = refStoreOf(repo)
  const { id, content } = await renewal(store.cwd, lease, ttl, options)
  return (await store.casEach([{ ref: lease.ref, oldValue: lease.id, newValue: id }], 'wait', { until: options.until }))[0] ? toLease(lease.ref, id, content) : null
}

/** The lease commit that renews `lease` (same holder and nonce, a new expiry), not yet swapped in. */
async function renewal(cwd: string, lease: Lease, ttl: number, options: { now?: number; info?: Record<string, unknown> }): Promise<{ id: string; content: LeaseContent }> {
  assertLease(cwd, lease)
  assertAcquire(cwd, [lease.ref], { owner: lease.owner, ttl, now: options.now })
  const content = { ...newContent({ owner: lease.owner, ttl, now: options.now, info: options.info }), nonce: lease.nonce }
  return { id: await writeLeaseCommit(cwd, content), content }
}

/** Delete `lease`'s ref if it is still this lease; `false` (touching nothing) when another holder has it now. */
export async function releaseLease(repo: string | RefStore, lease: Lease): Promise<boolean> {
  const store = refStoreOf(repo)
  assertLease(store.cwd, lease)
  return (await store.casEach([{ ref: lease.ref, oldValue: lease.id, newValue: null }], 'wait'))[0]!
}

/** A `refTransaction` step that fails the transaction unless `lease` is still held: publish results fenced by it. */
export function leaseVerifyOp(lease: Lease): RefVerifyOp {
  return { ref: lease.ref, verify: lease.id }
}

/** The lease at `ref`, `null` when there is none. */
export async function readLease(repo: string | RefStore, ref: string, options: { now?: number } = {}): Promise<LeaseRecord | null> {
  const { cwd } = refStoreOf(repo)
  assertRefName(cwd, ref, 'lease ref')
  const [record] = await readLeaseRecords(cwd, [{ ref, rev: ref }], options.now ?? Date.now())
  return record ?? null
}

/** Every lease under `prefix` (a ref prefix ending in "/"), sorted by ref, with `expired` judged at `now`. */
export async function listLeases(repo: string | RefStore, prefix = LEASE_PREFIX, options: { now?: number } = {}): Promise<LeaseRecord[]> {
  const { cwd } = refStoreOf(repo)
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new LeaseError(`Invalid lease prefix ${JSON.stringify(prefix)} in ${cwd}: pass a ref prefix ending in "/" (e.g. ${LEASE_PREFIX})`)
  }
  assertRefName(cwd, prefix.slice(0, -1), 'lease prefix')
  const entries = await listRefs(cwd, prefix)
  const now = options.now ?? Date.now()
  // Read through the listed shas: every listed ref gets a record, judged on the very commit listed.
  return await readLeaseRecords(cwd, entries.map(({ ref, sha }) => ({ ref, rev: sha })), now) as LeaseRecord[]
}

/** Delete the expired leases under `prefix`, each by compare-and-swap from the commit judged expired; returns those removed. */
export async function clearExpiredLeases(repo: string | RefStore, options: { prefix?: string; now?: number } = {}): Promise<LeaseRecord[]> {
  const store = refStoreOf(repo)
  await store.sync([options.prefix ?? LEASE_PREFIX])
  const expired = (await listLeases(store, options.prefix, options)).filter(record => record.expired)
  const removed = await store.casEach(expired.map(record => ({ ref: record.ref, oldValue: record.id, newValue: null })), 'lose')
  return expired.filter((_, i) => removed[i])
}

/**
 * Renew `lease` every `interval` (default ttl / 3) until `stop()`. When a renewal finds it taken over, or renewals
 * keep failing until it has expired, `signal` aborts. The timer does not keep the process alive.
 */
export function keepLeaseAlive(repo: string | RefStore, lease: Lease, options: KeepAliveOptions): LeaseKeeper {
  const store = refStoreOf(repo)
  const { cwd } = store
  assertLease(cwd, lease)
  const { ttl, interval = Math.floor(ttl / 3) } = options
  if (!(interval > 0 && interval < ttl)) {
    throw new LeaseError(`Invalid renewal interval ${interval} for ${lease.ref} (ttl ${ttl}) in ${cwd}: renew more often than the ttl, e.g. ttl / 3`)
  }
  const controller = new AbortController()
  let current: Lease | null = lease
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  /** Renewals and fenced changes, one at a time: each moves (or checks) the lease from the id the last one left. */
  let serial: Promise<unknown> = Promise.resolve()
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = serial.then(work)
    serial = next.catch(() => {})
    return next
  }

  const problem = (message: string) => {
    options.onProblem?.(message)
    return message
  }
  const lose = (why: string) => {
    current = null
    const message = problem(`Lost lease ${lease.ref} in ${cwd}: ${why}; stop the work it guards`)
    logger.error(message)
    controller.abort(new LeaseError(message))
  }
  // A failed renewal is tried again soon, not an interval later: the lease must not run out while git is busy.
  let retryIn: number | undefined
  const renew = async () => {
    const held = current!
    retryIn = undefined
    try {
      // Waiting out another git's lock stops half an interval on: the failure is reported and tried again soon.
      const renewed = await renewLease(store, held, ttl, { info: options.info?.() ?? held.info, until: Date.now() + interval / 2 })
      if (renewed) current = renewed
      else lose('another owner took it over')
    } catch (error) {
      // A remote out of reach decides nothing: the lease is still ours unless someone took it over there, which the
      // renewal finds out once the remote answers (the outage itself is reported once, by whoever watches the store).
      if (error instanceof RemoteUnreachableError) {
        retryIn = Math.min(interval, 1000)
        return
      }
      if (Date.now() >= held.expiresAt) return lose(`it expired while renewals failed (${errorLine(error)})`)
      retryIn = Math.max(50, Math.min(interval, Math.floor((held.expiresAt - Date.now()) / 4)))
      logger.warn(problem(`Could not renew ${held.ref} (expires in ${held.expiresAt - Date.now()} ms), retrying in ${retryIn} ms: ${errorLine(error)}`))
    }
  }
  const schedule = () => {
    if (stopped || !current) return
    timer = setTimeout(() => void inTurn(() => current ? renew() : Promise.resolve()).then(schedule), retryIn ?? interval)
    timer.unref()
  }
  schedule()
  return {
    current: () => current,
    signal: controller.signal,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await inTurn(async () => {})
      return current
    },
    fenced: apply => inTurn(async () => {
      const held = current
      if (!held) return null
      if (store.verifies) return apply([leaseVerifyOp(held)])
      const next = await renewal(cwd, held, ttl, { info: options.info?.() ?? held.info })
      const result = await apply([{ ref: held.ref, oldValue: held.id, newValue: next.id }])
      if (result !== null && current === held) current = toLease(held.ref, next.id, next.content)
      return result
    }),
  }
}

/** One attempt: create the ref when absent, else take it over when the lease there has expired. */
async function acquireOnce(store: RefStore, ref: string, options: Omit<AcquireOptions, 'wait'>): Promise<Lease | null> {
  const { cwd } = store
  const now = options.now ?? Date.now()
  const content = newContent({ ...options, now })
  const id = await writeLeaseCommit(cwd, content)
  if ((await store.casEach([{ ref, oldValue: null, newValue: id }], 'lose'))[0]) return toLease(ref, id, content)
  // A ref released since our attempt reads as missing: not ours this time, the caller may retry.
  await store.sync([ref])
  const [record] = await readLeaseRecords(cwd, [{ ref, rev: ref }], now)
  if (!record?.expired || !(await store.casEach([{ ref, oldValue: record.id, newValue: id }], 'lose'))[0]) return null
  logTakeOver(record, now)
  return toLease(ref, id, content)
}

function newContent({ owner, ttl, now, info }: Omit<AcquireOptions, 'wait'>): LeaseContent {
  return { owner, host: hostName(), pid: process.pid, nonce: randomBytes(8).toString('hex'), expiresAt: (now ?? Date.now()) + ttl, ...(info ? { info } : {}) }
}

function toLease(ref: string, id: string, content: LeaseContent): Lease {
  return { ref, id, owner: content.owner, nonce: content.nonce, expiresAt: content.expiresAt, ...(content.info ? { info: content.info } : {}) }
}

function logTakeOver(record: LeaseRecord, now: number): void {
  const previous = record.content
  logger.warn(previous
    ? `Took over expired lease ${record.ref} from ${previous.owner} (${previous.host} pid ${previous.pid}), expired ${now - previous.expiresAt} ms ago`
    : `Took over a corrupted lease. ${record.problem}`)
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** Each option's words say how to fix it: `Invalid lease ttl 0 for <ref> in <cwd>: pass a positive number ...`. */
const acquireRule = object({
  owner: is(value => typeof value === 'string' && value !== '', 'pass a non-empty string naming the holder'),
  ttl: is(value => isFiniteNumber(value) && value > 0, 'pass a positive number of milliseconds (e.g. 30000)'),
  wait: optional(is(value => isFiniteNumber(value) && value >= 0, 'pass milliseconds to keep retrying, or 0')),
  now: optional(is(isFiniteNumber, 'pass epoch milliseconds, or leave it out')),
}, { expected: 'pass { owner, ttl }' })

function assertAcquire(cwd: string, refs: string[], options: Partial<AcquireOptions>): void {
  if (!Array.isArray(refs)) throw new LeaseError(`Invalid lease refs ${JSON.stringify(refs)} in ${cwd}: pass an array of ref names (see leaseRef)`)
  refs.forEach(ref => assertRefName(cwd, ref, 'lease ref'))
  const problem = acquireRule(options ?? {})
  if (problem) {
    throw new LeaseError(`Invalid lease ${keyPath(problem.keys) || 'options'} ${describeValue(problem.value)} for ${refs[0] ?? 'leases'} in ${cwd}: ${problem.message}`)
  }
}

function assertLease(cwd: string, lease: Lease): void {
  if (typeof lease !== 'object' || lease === null) throw new LeaseError(`Invalid lease ${JSON.stringify(lease)} in ${cwd}: pass the handle acquireLease returned`)
  assertRefName(cwd, lease.ref, 'lease ref')
  assertOid(cwd, lease.id, `lease id of ${lease.ref}`)
}
