import { performance } from 'node:perf_hooks'
import { withGitVan } from '../context/use-gitvan'
import { abortable } from '../exec/abortable'
import { createDeadline } from '../exec/deadline'
import { failure, toResult } from '../exec/result'
import { createReceipt } from '../receipts/receipt'
import { createGitVanContext } from '../context/create-context'
import { routeConsole } from '../context/run-output'
import type { GitVanApp, JobRun, RunJobOptions } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { Job, JobEvent } from '../types/job'
import type { ReceiptStatus } from '../types/receipt'
import { runSteps } from './steps'

/**
 * Run `job` once in its own GitVan context: `validate`, then `run` or the steps, bounded by the job's
 * timeout; hooks around it. Returns the result, the receipt for the commit and the run's log, which the caller
 * records (the receipt store). A failing job is a result with `ok: false`, not a throw. The error is redacted
 * like the log: it goes into the receipt.
 */
export async function executeJob(app: GitVanApp, id: string, job: Job, options: RunJobOptions = {}): Promise<JobRun> {
  routeConsole()
  const timeout = job.timeout ?? app.options.jobs.timeout
  const deadline = createDeadline(timeout)
  try {
    const signal = AbortSignal.any([deadline.signal, ...(options.signal ? [options.signal] : [])])
    const ctx = createGitVanContext({
      app,
      signal,
      jobChain: [...(options.jobChain ?? []), id],
      head: options.head,
      branch: options.branch,
      commitTime: options.commitTime,
      now: options.now,
      worktree: options.worktree,
      env: { ...job.env, GITVAN_JOB: id },
    })
    const event: JobEvent = { id, payload: options.payload, trigger: options.trigger ?? { type: 'manual' }, ctx }
    const startedAt = new Date()
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)

    let result: ExecResult
    let status: ReceiptStatus = 'ok'
    try {
      await app.callHook('job:before', event)
      result = await abortable(withGitVan(ctx, () => perform(job, event, signal)), signal)
      result = { ...result, durationMs: elapsed() }
      if (!result.ok) status = result.meta?.status === 'timeout' ? 'timeout' : 'error'
    } catch (error) {
      status = deadline.signal.aborted ? 'timeout' : 'error'
      result = failure(deadline.signal.aborted ? `job ${id} timed out after ${timeout} ms` : error, elapsed())
      await app.callHook('job:error', event, error instanceof Error ? error : new Error(String(error)))
    }
    deadline.clear()
    if (result.error) result = { ...result, error: ctx.runLog.redact(result.error) }
    await app.callHook('job:after', event, result)
    const log = ctx.runLog.finish()

    if (!ctx.head) return { id, result, log }
    return { id, result, log, receipt: createReceipt({ job: id, sha: ctx.head, trigger: event.trigger, worktree: ctx.worktree.id, startedAt, result, status }) }
  } finally {
    deadline.clear()
  }
}

async function perform(job: Job, event: JobEvent, signal: AbortSignal): Promise<ExecResult> {
  const started = performance.now()
  if (job.validate) {
    const verdict = await job.validate(event)
    if (verdict === false || typeof verdict === 'string') {
      return failure(`validation refused the run${typeof verdict === 'string' ? `: ${verdict}` : ''}`, Math.round(performance.now() - started))
    }
  }
  if (job.steps) return runSteps(job.steps, event.ctx, signal)
  return toResult(await job.run!(event), Math.round(performance.now() - started))
}
