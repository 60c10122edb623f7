import { performance } from 'node:perf_hooks'
import type { ExecHandler, JsExecSpec } from '../../types/exec'
import { resolveInside } from '../../utils/paths'
import { failure, toResult } from '../result'

/** `{ exec: 'js', module, export?, input? }`: call an export of a project module with `input` and an AbortSignal. */
export const jsExec: ExecHandler<JsExecSpec> = async (spec, { ctx, signal }) => {
  const started = performance.now()
  const file = resolveInside(ctx.root, spec.module, 'js module')
  const name = spec.export ?? 'default'
  const mod = await ctx.app.importModule<Record<string, unknown>>(file)
  const fn = mod?.[name]
  if (typeof fn !== 'function') {
    const exports = Object.keys(mod ?? {}).filter(key => typeof mod[key] === 'function')
    return failure(`${spec.module} has no function export "${name}" (function exports: ${exports.join(', ') || 'none'})`)
  }
  const value = await fn(spec.input, { signal, ctx })
  return toResult(value, Math.round(performance.now() - started))
}
