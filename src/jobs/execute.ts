import { performance } from 'node:perf_hooks'
import { relative } from 'pathe'
import { withGitVan } from '../context/use-gitvan'
import { abortable } from '../exec/abortable'
import { createDeadline } from '../exec/deadline'
import { failure, toResult } from '../exec/result'
import { createReceipt } from '../receipts/receipt'
import { routeConsole } from '../context/run-output'
import type { GitVanApp, JobRun, RunJobOptions } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { Job, JobEvent } from '../types/job'
import type { ReceiptStatus } from '../types/receipt'
import { linkSignals } from '../utils/abort'
import { errorLine } from '../utils/messages'
import { lineInStack } from '../utils/stack'
import { isRunCancelled, isRunSkipped } from '../exec/outcome'
import { createJobEvent } from './event'
import { recordRun } from './run-records'
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
  const linked = linkSignals([deadline.signal, options.signal])
  let forgetRun: (() => Promise<void>) | undefined
  try {
    const { signal } = linked
    const event = createJobEvent(app, id, job, options, signal)
    const { ctx } = event
    // So that the next daemon start can remove the git locks of a run killed mid-commit; not worth failing the run for.
    forgetRun = await recordRun(app.repo, ctx.worktreeRoot).catch((error) => {
      ctx.logger.warn(`could not record the run in ${app.repo.commonDir}/gitvan/runs (${errorLine(error)}): if it is killed, remove any index.lock it leaves by hand`)
      return undefined
    })
    const startedAt = new Date()
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)

    // The run is over: its log is complete (what the run's code prints later is dropped).
    const receiptOf = (result: ExecResult, status: ReceiptStatus, reason?: string): JobRun => ({
      id,
      result,
      log: ctx.runLog.finish(),
      ...(ctx.head ? { receipt: createReceipt({ job: id, sha: ctx.head, trigger: event.trigger, worktree: ctx.worktree.id, startedAt, result, status, reason }) } : {}),
    })

    // GitHub Actions' `if`: a run whose condition is false never starts, and says so in its receipt.
    if (job.if) {
      try {
        if (!(await withGitVan(ctx, () => job.if!(event)))) return receiptOf({ ok: true, durationMs: elapsed() }, 'skipped', 'if: the condition was false')
      } catch (error) {
        return receiptOf(failure(ctx.runLog.redact(`if: the condition threw: ${thrown(error, job, app.repo.root)}`), elapsed()), 'error')
      }
    }

    let result: ExecResult
    let status: ReceiptStatus = 'ok'
    let reason: string | undefined
    try {
      await app.callHook('job:before', event)
      result = await abortable(withGitVan(ctx, () => perform(job, event, signal)), signal)
      result = { ...result, durationMs: elapsed() }
      if (!result.ok) status = result.meta?.status === 'timeout' ? 'timeout' : 'error'
    } catch (error) {
      ;[status, reason, result] = outcomeOf(error, thrown(error, job, app.repo.root), signal, deadline.signal, elapsed())
      if (status === 'error' || status === 'timeout') {
        if (status === 'timeout') result = failure(`job ${id} timed out after ${timeout} ms`, elapsed())
        await app.callHook('job:error', event, error instanceof Error ? error : new Error(String(error)))
      }
    }
    // A run aborted because a newer run of its group took its place is cancelled, whatever it reported.
    if (isRunCancelled(signal.reason) && status !== 'ok') [status, reason, result] = ['cancelled', signal.reason.message, { ...result, ok: false }]
    deadline.clear()
    if (result.error) result = { ...result, error: ctx.runLog.redact(result.error) }
    await app.callHook('job:after', event, result)
    return receiptOf(result, status, reason)
  } finally {
    deadline.clear()
    linked.dispose()
    // A record left behind only makes a later start look at this worktree for a lock nobody holds.
    await forgetRun?.().catch(() => {})
  }
}

/** How a thrown run ended: skipped by itself, cancelled by a newer run of its group, timed out, or failed (`message`). */
function outcomeOf(error: unknown, message: string, signal: AbortSignal, deadline: AbortSignal, durationMs: number): [ReceiptStatus, string | undefined, ExecResult] {
  if (isRunSkipped(error)) return ['skipped', error.message, { ok: true, durationMs }]
  if (isRunCancelled(signal.reason)) return ['cancelled', signal.reason.message, { ok: false, durationMs }]
  if (deadline.aborted) return ['timeout', undefined, failure('timed out', durationMs)]
  return ['error', undefined, failure(message, durationMs)]
}

/** What the job's code threw, as `jobs/x.ts:12: message` when its stack passes through the job's file. */
function thrown(error: unknown, job: Job, root: string): string {
  const line = job.file ? lineInStack(error, job.file) : undefined
  return line ? `${relative(root, job.file!)}:${line}: ${errorLine(error)}` : errorLine(error)
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
