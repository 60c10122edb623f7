import { executeJob } from '../jobs/execute'
import type { Checkouts } from '../jobs/checkouts'
import { createReceipt } from '../receipts/receipt'
import type { GitVanApp } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { RunLog } from '../types/log'
import type { Receipt } from '../types/receipt'
import type { WorkItem } from './types'

export interface ItemRun {
  result: ExecResult
  receipt: Receipt
  /** What the run wrote, published with its receipt. */
  log?: RunLog
}

/**
 * Run one item: in its worktree, or in an isolated checkout of its commit when the job asks for one, with the
 * item's commit, branch, trigger and clock. `signal` ends it (shutdown, a lost lease, a newer run of its group).
 */
export async function runItem(app: GitVanApp, item: WorkItem, checkouts: Checkouts, signal: AbortSignal): Promise<ItemRun> {
  const checkout = item.job.job.checkout === 'isolated' ? await checkouts.acquire(item.sha) : undefined
  try {
    const run = await executeJob(app, item.job.id, item.job.job, {
      trigger: item.trigger,
      head: item.sha,
      branch: item.branch,
      commitTime: item.commitTime,
      worktree: checkout ? { ...item.place, root: checkout.root } : item.place,
      signal,
    })
    return { result: run.result, receipt: run.receipt!, log: run.log }
  } finally {
    await checkout?.release()
  }
}

/** The receipt of an item that never ran: a newer run superseded (`skipped`) or cancelled it while it waited. */
export function droppedReceipt(item: WorkItem, status: 'skipped' | 'cancelled', reason: string): Receipt {
  return createReceipt({
    job: item.job.id,
    sha: item.sha,
    trigger: item.trigger,
    worktree: item.place.id,
    startedAt: new Date(),
    result: { ok: status === 'skipped', durationMs: 0 },
    status,
    reason,
  })
}
