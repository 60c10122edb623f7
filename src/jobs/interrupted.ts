import { failure } from '../exec/result'
import { createReceipt } from '../receipts/receipt'
import type { GitVanApp, JobRun, RunJobOptions } from '../types/app'
import type { Job } from '../types/job'
import type { Interruption } from '../types/pool'
import { createJobEvent } from './event'

/**
 * The result and receipt of a run whose code could not report its own end: its job worker crashed, exited, ran out
 * of memory or was stopped, or could not start it. When its job code had started, `job:error` (unless it was
 * cancelled) and `job:after` are called here, in `app`, on an event built as the run's own was: every run that
 * `job:before` saw gets its `job:after` once, wherever its code ran.
 */
export async function interruptedRun(app: GitVanApp, id: string, job: Job, options: RunJobOptions, interruption: Interruption, startedAt: Date, durationMs: number): Promise<JobRun> {
  const event = createJobEvent(app, id, job, options, options.signal ?? new AbortController().signal)
  const result = failure(interruption.error, durationMs)
  if (interruption.started) {
    if (interruption.status !== 'cancelled') await app.callHook('job:error', event, new Error(interruption.error))
    await app.callHook('job:after', event, result)
  }
  const { ctx } = event
  return {
    id,
    result,
    ...(ctx.head ? { receipt: createReceipt({ job: id, sha: ctx.head, trigger: event.trigger, worktree: ctx.worktree.id, startedAt, result, status: interruption.status, reason: interruption.reason }) } : {}),
  }
}
