import { randomBytes } from 'node:crypto'
import { hostName } from '../utils/host'
import { refStoreOf } from '../git/ref-store'
import type { RefStore } from '../types/git'
import type { Lease, LeaseKeeper, LeaseRecord } from './lease'
import { processExists } from '../utils/process'
import { LEASE_PREFIX, LeaseError, acquireLease, keepLeaseAlive, listLeases, releaseLease } from './lease'

/** Where each running daemon keeps its lease: `refs/gitvan/locks/runners/<id>`. */
export const RUNNERS_PREFIX = `${LEASE_PREFIX}runners/`

export interface RunnerOptions {
  /** Lease lifetime in milliseconds; renewed every third of it. */
  ttl: number
  /** What the runner shows others (`gitvan status`): written at the start and with every renewal. */
  info?: () => Record<string, unknown>
  /** Told of renewal problems and of the loss of the lease. */
  onProblem?: (message: string) => void
}

/**
 * A daemon's identity in the repository: one lease, renewed while it runs. Everything it claims and publishes is
 * fenced by this lease: once another runner judged it dead and deleted it, nothing of this runner lands.
 */
export interface Runner {
  /** The lease ref, e.g. `refs/gitvan/locks/runners/vm-4242-1a2b3c`. */
  readonly ref: string
  /** `host:pid:nonce`, as shown by `gitvan locks`. */
  readonly owner: string
  /** The lease as last renewed; `null` once lost. */
  lease: () => Lease | null
  /** Aborted when the lease is lost: every run of this runner stops. */
  readonly signal: AbortSignal
  /** Apply a change fenced by the runner's lease (see `LeaseKeeper.fenced`): `null` when it did not go through. */
  fenced: LeaseKeeper['fenced']
  /** Stop renewing and delete the lease (call after the last publish). */
  stop: () => Promise<void>
}

export async function startRunner(repo: string | RefStore, options: RunnerOptions): Promise<Runner> {
  const store = refStoreOf(repo)
  const { cwd } = store
  const nonce = randomBytes(3).toString('hex')
  const host = hostName()
  const owner = `${host}:${process.pid}:${nonce}`
  // Host names may hold anything; the ref name keeps what git allows and the lease content keeps the real name.
  const ref = `${RUNNERS_PREFIX}${host.toLowerCase().replaceAll(/[^a-z0-9-]+/g, '-').slice(0, 40) || 'host'}-${process.pid}-${nonce}`
  const lease = await acquireLease(store, ref, { owner, ttl: options.ttl, info: runnerInfo(options) })
  if (!lease) throw new LeaseError(`Runner lease ${ref} in ${cwd} is held by another process: start again (a new id is drawn each time)`)
  const keeper: LeaseKeeper = keepLeaseAlive(store, lease, { ttl: options.ttl, info: () => runnerInfo(options), onProblem: options.onProblem })
  return {
    ref,
    owner,
    lease: keeper.current,
    signal: keeper.signal,
    fenced: keeper.fenced,
    async stop() {
      const held = await keeper.stop()
      if (held) await releaseLease(store, held)
    },
  }
}

function runnerInfo(options: RunnerOptions): Record<string, unknown> {
  return { ttl: options.ttl, ...options.info?.() }
}

/** Every runner lease in the repository (as last synced from the store), live or not. */
export function listRunners(repo: string | RefStore, now = Date.now()): Promise<LeaseRecord[]> {
  return listLeases(repo, RUNNERS_PREFIX, { now })
}

/**
 * Judges whether runners are alive, from what they wrote and from what this observer saw over time. A runner is
 * dead when its lease expired by the observer's clock, when it runs on this host under a pid that no longer
 * exists, or when its lease has not changed for longer than its ttl while this observer watched: renewals
 * change the lease every third of the ttl, so a holder whose clock runs ahead (an expiry far in the future) is
 * still found out within one ttl. Over a remote, an outage stops every runner's renewals alike: for one ttl after
 * the remote answers again nobody is judged dead by the clock, so runners that kept their work through the outage
 * renew their leases and publish it instead of seeing it run again.
 */
export interface RunnerLiveness {
  isLive: (record: LeaseRecord, now?: number) => boolean
  /** Why `record` counts as dead (`null` while alive): for messages. */
  deadBecause: (record: LeaseRecord, now?: number) => string | null
}

export function createRunnerLiveness(defaultTtl: number, repo?: string | RefStore): RunnerLiveness {
  const seen = new Map<string, { id: string; since: number }>()
  const host = hostName()
  const store = repo === undefined ? null : refStoreOf(repo)
  let reconnected = 0
  const deadBecause = (record: LeaseRecord, now = Date.now()): string | null => {
    const { content } = record
    const gone = content !== null && content.host === host && content.pid !== process.pid && !processExists(content.pid)
    if (store && store.reconnectedAt() !== reconnected) {
      // Nobody could renew while the remote was out of reach, and nobody was watching: start watching again.
      reconnected = store.reconnectedAt()
      seen.clear()
    }
    if (content && !gone && now - reconnected < defaultTtl) return null
    if (record.expired || !content) return record.problem ?? `its lease expired ${now - (content?.expiresAt ?? now)} ms ago`
    if (gone) return `its process ${content.pid} on ${host} is gone`
    const last = seen.get(record.ref)
    if (!last || last.id !== record.id) {
      seen.set(record.ref, { id: record.id, since: now })
      return null
    }
    const ttl = typeof content.info?.ttl === 'number' ? Math.max(content.info.ttl, defaultTtl) : defaultTtl
    return now - last.since > ttl ? `its lease has not been renewed for ${now - last.since} ms (ttl ${ttl} ms), whatever its expiry says` : null
  }
  return { deadBecause, isLive: (record, now) => deadBecause(record, now) === null }
}
