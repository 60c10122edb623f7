import { receiptKey } from '../receipts/receipt'
import { readReceipts } from '../receipts/store'
import type { WorkItem } from './types'

/** What the receipts say about one (job, key). */
export interface ItemProgress {
  ok: boolean
  /** Failed daemon runs (manual runs do not use up retries). */
  failures: number
  /** When the last failed run finished (epoch ms). */
  lastFailure: number
}

export type ItemStatus = 'done' | 'failed' | 'waiting' | 'todo'

export function progressKey(job: string, key: string): string {
  return `${job}\0${key}`
}

/** Progress of every (job, key) with receipts on `shas`, plus the receipt lines that could not be read. */
export async function readProgress(cwd: string, ref: string, shas: string[]) {
  const { receipts, invalid } = await readReceipts(cwd, ref, [...new Set(shas)])
  const progress = new Map<string, ItemProgress>()
  for (const receipt of receipts) {
    const key = receiptKey(receipt)
    if (!key) continue
    const entry = progress.get(progressKey(receipt.job, key)) ?? { ok: false, failures: 0, lastFailure: 0 }
    if (receipt.ok) entry.ok = true
    else if (receipt.trigger.type !== 'manual') {
      entry.failures++
      entry.lastFailure = Math.max(entry.lastFailure, Date.parse(receipt.finishedAt) || 0)
    }
    progress.set(progressKey(receipt.job, key), entry)
  }
  return { progress, invalid }
}

/**
 * `done` with a successful receipt; `failed` once its failures used up the job's retries (until
 * `--retry-failed`); `waiting` during a retry's backoff; else `todo`.
 */
export function itemStatus(item: WorkItem, progress: Map<string, ItemProgress>, options: { now: number; retryFailed: boolean }): ItemStatus {
  const entry = progress.get(progressKey(item.job.id, item.key))
  if (!entry || entry.failures === 0) return entry?.ok ? 'done' : 'todo'
  if (entry.ok) return 'done'
  if (options.retryFailed) return 'todo'
  const retry = item.job.job.retry ?? { count: 0 }
  if (entry.failures > retry.count) return 'failed'
  const wait = (retry.backoff ?? 10_000) * 2 ** (entry.failures - 1)
  return options.now >= entry.lastFailure + wait ? 'todo' : 'waiting'
}
