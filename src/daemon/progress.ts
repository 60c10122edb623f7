import { receiptKey } from '../receipts/receipt'
import type { Receipt } from '../types/receipt'
import type { WorkItem } from './types'

/** What the receipts say about one (job, key). */
export interface ItemProgress {
  /** A receipt settled it: `ok`, `skipped` or `cancelled` (a manual success counts too). */
  settled: boolean
  /** Failed daemon runs (manual runs do not use up retries). */
  failures: number
  /** When the last failed run finished (epoch ms). */
  lastFailure: number
  /** The status of the newest receipt. */
  last: Receipt['status']
}

export type ItemStatus = 'done' | 'failed' | 'waiting' | 'todo'

export function progressKey(job: string, key: string): string {
  return `${job}\0${key}`
}

const SETTLING: ReadonlySet<Receipt['status']> = new Set(['ok', 'skipped', 'cancelled'])

/** Progress of every (job, key) the receipts speak of, in the order they were written. Pure. */
export function progressOf(receipts: readonly Receipt[]): Map<string, ItemProgress> {
  const progress = new Map<string, ItemProgress>()
  for (const receipt of receipts) {
    const key = receiptKey(receipt)
    if (!key) continue
    const id = progressKey(receipt.job, key)
    const entry = progress.get(id) ?? { settled: false, failures: 0, lastFailure: 0, last: receipt.status }
    entry.last = receipt.status
    if (SETTLING.has(receipt.status) && (receipt.ok || receipt.status === 'cancelled')) {
      entry.settled = true
    } else if (receipt.trigger.type !== 'manual') {
      entry.failures++
      entry.lastFailure = Math.max(entry.lastFailure, Date.parse(receipt.finishedAt) || 0)
    }
    progress.set(id, entry)
  }
  return progress
}

/**
 * `done` once a receipt settled it; `failed` once its failures used up the job's retries (a retry policy of N
 * allows N + 1 runs); `waiting` during a retry's backoff; else `todo`. Pure.
 */
export function itemStatus(item: WorkItem, progress: ReadonlyMap<string, ItemProgress>, now: number): ItemStatus {
  const entry = progress.get(progressKey(item.job.id, item.key))
  if (!entry) return 'todo'
  if (entry.settled) return 'done'
  if (entry.failures === 0) return 'todo'
  const retry = item.job.job.retry ?? { count: 0 }
  if (entry.failures > retry.count) return 'failed'
  const wait = (retry.backoff ?? 10_000) * 2 ** (entry.failures - 1)
  return now >= entry.lastFailure + wait ? 'todo' : 'waiting'
}

/** When a `waiting` item's backoff ends (epoch ms). */
export function retryAt(item: WorkItem, progress: ReadonlyMap<string, ItemProgress>): number {
  const entry = progress.get(progressKey(item.job.id, item.key))!
  return entry.lastFailure + (item.job.job.retry?.backoff ?? 10_000) * 2 ** (entry.failures - 1)
}
