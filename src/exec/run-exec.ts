import { performance } from 'node:perf_hooks'
import { withGitVan } from '../context/use-gitvan'
import type { GitVanContext } from '../types/context'
import type { ExecResult, ExecSpec } from '../types/exec'
import { abortable } from './abortable'
import { createDeadline } from './deadline'
import { resolveExecType } from './registry'
import { isRunSkipped } from './outcome'
import { execSpecProblem } from './spec'
import { failure } from './result'

export interface RunExecOptions {
  ctx: GitVanContext
  /** Aborts the step (shutdown, or the job's own timeout). */
  signal?: AbortSignal
}

/**
 * Run one exec spec with the handler registered for `spec.exec`, inside the GitVan context. Never throws:
 * an unknown type, a missing required field, a throwing handler, an abort or `spec.timeout` all become a failed
 * result.
 */
export async function runExec(spec: ExecSpec, { ctx, signal }: RunExecOptions): Promise<ExecResult> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const problem = execSpecProblem(spec, ctx.app.execTypes)
  if (problem) return failure(problem, elapsed())
  const handler = resolveExecType(ctx.app.execTypes, spec.exec)
  const deadline = spec.timeout ? createDeadline(spec.timeout) : undefined
  const stepSignal = AbortSignal.any([signal, deadline?.signal].filter((s): s is AbortSignal => s !== undefined))
  // The step's own timeout wins over how a handler describes its abort.
  const timedOut = () => deadline?.signal.aborted === true
  const timeoutMessage = `${spec.exec} step timed out after ${spec.timeout} ms`
  try {
    const result = await abortable(withGitVan(ctx, () => handler(spec, { ctx, signal: stepSignal })), stepSignal)
    if (!result.ok && timedOut()) return { ...result, error: timeoutMessage, meta: { ...result.meta, status: 'timeout' } }
    return { ...result, durationMs: result.durationMs ?? elapsed() }
  } catch (error) {
    // A step that skips the run skips the whole job, not just itself.
    if (isRunSkipped(error)) throw error
    return failure(timedOut() ? timeoutMessage : error, elapsed(), timedOut() ? { meta: { status: 'timeout' } } : {})
  } finally {
    deadline?.clear()
  }
}
