import { performance } from 'node:perf_hooks'
import { runExec } from '../exec/run-exec'
import { execSpecProblem } from '../exec/spec'
import type { GitVanContext } from '../types/context'
import type { ExecHandler, ExecResult } from '../types/exec'
import type { JobStep } from '../types/job'
import { failure } from '../exec/result'
import { JobDefinitionError } from './define'

/**
 * Run a composite job's steps in order. The first failure stops the job unless that step says
 * `continueOnError`; every step's result is kept under `meta.steps`, and the run's log is told where each starts.
 * A step given as a function gets the results of the named steps before it and returns the spec to run.
 */
export async function runSteps(steps: readonly JobStep[], ctx: GitVanContext, signal: AbortSignal): Promise<ExecResult> {
  const started = performance.now()
  const results: (ExecResult & { step: string })[] = []
  const named: Record<string, ExecResult> = {}
  let failed: (ExecResult & { step: string }) | undefined
  for (const [index, step] of steps.entries()) {
    if (signal.aborted) break
    let spec
    try {
      spec = typeof step === 'function' ? await step({ steps: named, ctx }) : step
    } catch (error) {
      spec = undefined
      failed = { step: `${index + 1}`, ...failure(error) }
      results.push(failed)
      break
    }
    const name = spec?.name ?? `${index + 1}:${spec?.exec}`
    ctx.runLog.step(name)
    const result = { step: name, ...(await runExec(spec!, { ctx, signal })) }
    results.push(result)
    if (spec?.name) named[spec.name] = result
    if (!result.ok && !spec?.continueOnError) {
      failed = result
      break
    }
  }
  const last = results.at(-1)
  return {
    ok: !failed,
    durationMs: Math.round(performance.now() - started),
    ...(failed ? { error: `step ${failed.step} failed: ${failed.error ?? 'no reason given'}`, exitCode: failed.exitCode } : {}),
    ...(last?.artifact ? { artifact: last.artifact } : {}),
    meta: { steps: results },
  }
}

/**
 * Refuse a composite job whose steps cannot run: an exec type nobody registered, or a built-in one missing a field.
 * A step given as a function makes its spec when it runs: that spec is checked then (`runExec`).
 */
export function checkSteps(steps: readonly unknown[], types: ReadonlyMap<string, { handler: ExecHandler }>): void {
  steps.forEach((step, index) => {
    const problem = typeof step === 'function' ? null : execSpecProblem(step, types)
    if (problem) throw new JobDefinitionError(`steps[${index}]`, `\`steps[${index}]\`: ${problem}`)
  })
}
