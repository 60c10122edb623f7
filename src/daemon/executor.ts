import { performance } from 'node:perf_hooks'
import { executeJob } from '../jobs/execute'
import type { GitVanApp } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { Receipt } from '../types/receipt'
import { acquireLeases, keepLeaseAlive } from '../locks/lease'
import type { Lease, LeaseKeeper } from '../locks/lease'
import { leaseRef } from '../locks/lease-ref'
import type { FinishedRun } from './flush'
import { publishRuns } from './flush'
import { itemStatus, readProgress } from './progress'
import type { WorkItem } from './types'

export interface ExecutorOptions {
  app: GitVanApp
  /** Who holds the leases (shown by `gitvan locks`). */
  owner: string
  /** Runs at once, shared by every batch of the daemon. */
  limit: Limiter
  /** Aborted on shutdown: runs get the grace period, then this signal. */
  signal: AbortSignal
  /** Publish receipts once this many runs finished (default 512)... */
  publishEvery?: number
  /** ...or once this many milliseconds passed since the last publish (default 500). */
  publishInterval?: number
  onRun?: (item: WorkItem, result: ExecResult, receipt: Receipt) => void
  onLost?: (item: WorkItem) => void
}

export type ItemOutcome = 'ran' | 'held' | 'done' | 'lost' | 'aborted'

/**
 * The lease guarding an item. Commit work is leased per bucket (the first hex digit of the commit): one lease
 * covers every job on the commits of its bucket, so a backlog of thousands of commits takes at most 16 lease
 * refs instead of one each (a loose ref costs about a millisecond to write and again to delete), and a given
 * (job, commit) is always guarded by the same lease, which is what exactly-once needs. Tags, branches and
 * schedule slots are rare and leased one by one.
 */
export function leaseRefOf(item: WorkItem): string {
  return item.trigger.type === 'commit' ? leaseRef({ job: 'commits', key: `bucket-${item.sha[0]}` }) : leaseRef({ job: item.job.id, key: item.key })
}

/**
 * Run `items` exactly once across every daemon of the repository: take their leases (one git transaction),
 * re-read their receipts (another daemon may have finished some between our plan and our lease), run what is
 * still to do under the concurrency limit, and publish receipts in batches, each fenced by the leases.
 */
export async function executeItems(items: WorkItem[], options: ExecutorOptions): Promise<Map<WorkItem, ItemOutcome>> {
  const { app } = options
  const cwd = app.repo.root
  const outcomes = new Map<WorkItem, ItemOutcome>()
  if (items.length === 0) return outcomes
  const refs = [...new Set(items.map(leaseRefOf))]
  const leases = await acquireLeases(cwd, refs, { owner: options.owner, ttl: app.options.locks.ttl })
  const keepers = new Map<string, LeaseKeeper>()
  refs.forEach((ref, i) => {
    if (leases[i]) keepers.set(ref, keepLeaseAlive(cwd, leases[i]!, { ttl: app.options.locks.ttl }))
  })
  const mine = items.filter((item) => {
    if (!keepers.has(leaseRefOf(item))) outcomes.set(item, 'held')
    return keepers.has(leaseRefOf(item))
  })
  const leaseOf = (ref: string) => keepers.get(ref)?.current() ?? null

  const { progress } = mine.length > 0 ? await readProgress(cwd, app.options.receipts.ref, mine.map(item => item.sha)) : { progress: new Map() }
  const todo = mine.filter((item) => {
    if (itemStatus(item, progress, { now: Date.now(), retryFailed: true }) !== 'done') return true
    outcomes.set(item, 'done')
    return false
  })

  let finished: (FinishedRun & { item: WorkItem; result: ExecResult })[] = []
  let lastPublish = performance.now()
  let publishing = Promise.resolve()
  const publish = (release: Lease[] = []) => {
    const batch = finished
    finished = []
    lastPublish = performance.now()
    publishing = publishing.then(async () => {
      const { lost } = await publishRuns(app.receipts, cwd, batch, leaseOf, release)
      const lostSet = new Set(lost)
      for (const run of batch) {
        outcomes.set(run.item, lostSet.has(run) ? 'lost' : 'ran')
        if (lostSet.has(run)) options.onLost?.(run.item)
        else options.onRun?.(run.item, run.result, run.receipt)
      }
    })
    return publishing
  }

  // Finished runs are published while others go on, so one slow run never holds back the receipts of the rest.
  const flusher = setInterval(() => {
    if (finished.length > 0) publish().catch(() => {})
  }, options.publishInterval ?? 500)
  try {
    await Promise.all(todo.map(item => options.limit(async () => {
      const ref = leaseRefOf(item)
      if (options.signal.aborted || !leaseOf(ref)) {
        outcomes.set(item, options.signal.aborted ? 'aborted' : 'lost')
        return
      }
      const run = await executeJob(app, item.job.id, item.job.job, {
        trigger: item.trigger,
        head: item.sha,
        branch: item.branch,
        commitTime: item.commitTime,
        worktree: item.place,
        signal: AbortSignal.any([options.signal, keepers.get(ref)!.signal]),
      })
      // A run cut short by shutdown is not recorded: the next start runs it again.
      if (options.signal.aborted && !run.result.ok) {
        outcomes.set(item, 'aborted')
        return
      }
      finished.push({ item, result: run.result, receipt: run.receipt!, log: run.log, leaseRef: ref })
      // Errors surface from the final publish, which chains on this one.
      if (finished.length >= (options.publishEvery ?? 512) || performance.now() - lastPublish >= (options.publishInterval ?? 500)) publish().catch(() => {})
    })))
  } finally {
    clearInterval(flusher)
    const held = (await Promise.all([...keepers.values()].map(keeper => keeper.stop()))).filter((lease): lease is Lease => lease !== null)
    await publish(held)
  }
  return outcomes
}

/** Runs `fn` when fewer than its limit run, first come first served. */
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>

export function createLimiter(concurrency: number): Limiter {
  let active = 0
  const waiting: (() => void)[] = []
  return async (fn) => {
    if (active >= concurrency) await new Promise<void>(resolve => waiting.push(resolve))
    active++
    try {
      return await fn()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
