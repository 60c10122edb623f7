import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
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
  /** Stop renewing and delete the lease (call after the last publish). */
  stop: () => Promise<void>
}

export async function startRunner(cwd: string, options: RunnerOptions): Promise<Runner> {
  const nonce = randomBytes(3).toString('hex')
  const host = hostname()
  const owner = `${host}:${process.pid}:${nonce}`
  // Host names may hold anything; the ref name keeps what git allows and the lease content keeps the real name.
  const ref = `${RUNNERS_PREFIX}${host.toLowerCase().replaceAll(/[^a-z0-9-]+/g, '-').slice(0, 40) || 'host'}-${process.pid}-${nonce}`
  const lease = await acquireLease(cwd, ref, { owner, ttl: options.ttl, info: runnerInfo(options) })
  if (!lease) throw new LeaseError(`Runner lease ${ref} in ${cwd} is held by another process: start again (a new id is drawn each time)`)
  const keeper: LeaseKeeper = keepLeaseAlive(cwd, lease, { ttl: options.ttl, info: () => runnerInfo(options), onProblem: options.onProblem })
  return {
    ref,
    owner,
    lease: keeper.current,
    signal: keeper.signal,
    async stop() {
      const held = await keeper.stop()
      if (held) await releaseLease(cwd, held)
    },
  }
}

function runnerInfo(options: RunnerOptions): Record<string, unknown> {
  return { ttl: options.ttl, ...options.info?.() }
}

/** Every runner lease in the repository, live or not. */
export function listRunners(cwd: string, now = Date.now()): Promise<LeaseRecord[]> {
  return listLeases(cwd, RUNNERS_PREFIX, { now })
}

/**
 * Judges whether runners are alive, from what they wrote and from what this observer saw over time. A runner is
 * dead when its lease expired by the observer's clock, when it runs on this host under a pid that no longer
 * exists, or when its lease has not changed for longer than its ttl while this observer watched: renewals
 * change the lease every third of the ttl, so a holder whose clock runs ahead (an expiry far in the future) is
 * still found out within one ttl.
 */
export interface RunnerLiveness {
  isLive: (record: LeaseRecord, now?: number) => boolean
  /** Why `record` counts as dead (`null` while alive): for messages. */
  deadBecause: (record: LeaseRecord, now?: number) => string | null
}

export function createRunnerLiveness(defaultTtl: number): RunnerLiveness {
  const seen = new Map<string, { id: string; since: number }>()
  const host = hostname()
  const deadBecause = (record: LeaseRecord, now = Date.now()): string | null => {
    if (record.expired || !record.content) return record.problem ?? `its lease expired ${now - (record.content?.expiresAt ?? now)} ms ago`
    const { content } = record
    if (content.host === host && content.pid !== process.pid && !processExists(content.pid)) return `its process ${content.pid} on ${host} is gone`
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
