import { executeJob } from '../jobs/execute'
import type { Checkouts } from '../jobs/checkouts'
import { interruptedRun } from '../jobs/interrupted'
import { createReceipt } from '../receipts/receipt'
import type { GitVanApp, RunJobOptions } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { RunLog } from '../types/log'
import type { Receipt } from '../types/receipt'
import { createJobPool } from './pool/pool'
import type { WorkItem } from './types'

export interface ItemRun {
  result: ExecResult
  receipt: Receipt
  /** What the run wrote, published with its receipt. */
  log?: RunLog
}

/** Runs items for the daemon: in its pool of job workers (`jobs.isolation: 'worker'`), or in its own thread. */
export interface ItemRunner {
  run: (item: WorkItem, signal: AbortSignal) => Promise<ItemRun>
  /** The job files were loaded again (`gitvan dev`): runs from now on use the new code (once this resolves). */
  reload: () => Promise<void>
  close: () => Promise<void>
}

export interface ItemRunnerOptions {
  /** Runs at once: the pool's size. */
  concurrency: number
  onProblem: (message: string) => void
}

/**
 * The daemon's way of running items. With `jobs.isolation: 'worker'` job code runs in a pool of worker threads,
 * each with an app of its own: a crash, an unhandled rejection, `process.exit`, a synchronous loop or a memory
 * blow-up ends that run only (see pool/pool.ts). Checkouts are taken here, in the daemon, either way.
 */
export function createItemRunner(app: GitVanApp, checkouts: Checkouts, options: ItemRunnerOptions): ItemRunner {
  if (app.options.jobs.isolation === 'none') {
    return { run: (item, signal) => runItem(app, item, checkouts, signal), reload: async () => {}, close: async () => {} }
  }
  const pool = createJobPool({ cwd: app.repo.root, configFile: app.configFile, size: options.concurrency, memoryLimit: app.options.jobs.memoryLimit, onProblem: options.onProblem })
  return {
    run: (item, signal) => inCheckout(item, checkouts, async (runOptions) => {
      const outcome = await pool.run({
        job: item.job.id,
        trigger: item.trigger,
        head: item.sha,
        branch: item.branch,
        commitTime: item.commitTime,
        worktree: runOptions.worktree!,
        timeout: item.job.job.timeout ?? app.options.jobs.timeout,
      }, signal)
      if ('answer' in outcome) return outcome.answer
      const run = await interruptedRun(app, item.job.id, item.job.job, { ...runOptions, signal }, outcome.interrupted, outcome.startedAt, outcome.durationMs)
      return { result: run.result, receipt: run.receipt!, log: outcome.log }
    }),
    reload: () => pool.reload(),
    close: () => pool.close(),
  }
}

/**
 * Run one item in the daemon's own thread: in its worktree, or in an isolated checkout of its commit when the job
 * asks for one, with the item's commit, branch, trigger and clock. `signal` ends it (shutdown, a lost lease, a
 * newer run of its group).
 */
export async function runItem(app: GitVanApp, item: WorkItem, checkouts: Checkouts, signal: AbortSignal): Promise<ItemRun> {
  return inCheckout(item, checkouts, async (runOptions) => {
    const run = await executeJob(app, item.job.id, item.job.job, { ...runOptions, signal })
    return { result: run.result, receipt: run.receipt!, log: run.log }
  })
}

/** The item's run options, in an isolated checkout of its commit (given back afterwards) when the job asks for one. */
async function inCheckout(item: WorkItem, checkouts: Checkouts, fn: (options: RunJobOptions) => Promise<ItemRun>): Promise<ItemRun> {
  const checkout = item.job.job.checkout === 'isolated' ? await checkouts.acquire(item.sha) : undefined
  try {
    return await fn({
      trigger: item.trigger,
      head: item.sha,
      branch: item.branch,
      commitTime: item.commitTime,
      worktree: checkout ? { ...item.place, root: checkout.root } : item.place,
    })
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
