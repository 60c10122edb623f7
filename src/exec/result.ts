import type { ExecResult } from '../types/exec'
import { errorLine } from '../utils/messages'

/** A failed result. */
export function failure(error: unknown, durationMs = 0, extra: Partial<ExecResult> = {}): ExecResult {
  return { ok: false, error: errorLine(error), durationMs, ...extra }
}

/**
 * Turn what a job's `run` or a `js` step returned into a result: nothing means success, an object with a
 * boolean `ok` is a (partial) result, anything else is kept as `meta.value`.
 */
export function toResult(value: unknown, durationMs: number): ExecResult {
  if (value === undefined || value === null) return { ok: true, durationMs }
  if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { ok?: unknown }).ok === 'boolean') {
    return { ...(value as ExecResult), durationMs }
  }
  return { ok: true, durationMs, meta: { value } }
}
