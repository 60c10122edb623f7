import { performance } from 'node:perf_hooks'
import { withGitVan } from '../composables/context'
import type { GitVanContext } from '../types/context'
import type { ExecResult, ExecSpec } from '../types/exec'
import { abortable } from './abortable'
import { resolveExecType } from './registry'
import { failure } from './result'

export interface RunExecOptions {
  ctx: GitVanContext
  /** Aborts the step (shutdown, or the job's own timeout). */
  signal?: AbortSignal
}

/**
 * Run one exec spec with the handler registered for `spec.exec`, inside the GitVan context. Never throws:
 * an unknown type, a throwing handler, an abort or `spec.timeout` all become a failed result.
 */
export async function runExec(spec: ExecSpec, { ctx, signal }: RunExecOptions): Promise<ExecResult> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  let handler
  try {
    if (typeof spec !== 'object' || spec === null) throw new TypeError(`An exec spec must be an object like { exec: 'cli', cmd: 'echo' }, got ${JSON.stringify(spec)}`)
    handler = resolveExecType(ctx.app.execTypes, spec.exec)
  } catch (error) {
    return failure(error, elapsed())
  }
  const signals = [signal, spec.timeout ? AbortSignal.timeout(spec.timeout) : undefined].filter(Boolean) as AbortSignal[]
  const stepSignal = signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal
  try {
    const result = await abortable(withGitVan(ctx, () => handler(spec, { ctx, signal: stepSignal })), stepSignal)
    if (!result.ok && isTimeout(stepSignal)) return { ...result, meta: { ...result.meta, status: 'timeout' } }
    return { ...result, durationMs: result.durationMs ?? elapsed() }
  } catch (error) {
    const timedOut = isTimeout(stepSignal)
    const reason = timedOut ? `${spec.exec} step timed out after ${spec.timeout} ms` : error
    return failure(reason, elapsed(), timedOut ? { meta: { status: 'timeout' } } : {})
  }
}

export function isTimeout(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as Error)?.name === 'TimeoutError'
}
