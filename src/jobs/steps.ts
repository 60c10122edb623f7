import { performance } from 'node:perf_hooks'
import { runExec } from '../exec/run-exec'
import { execSpecProblem } from '../exec/spec'
import type { GitVanContext } from '../types/context'
import type { ExecHandler, ExecResult, ExecSpec } from '../types/exec'
import { JobDefinitionError } from './define'

/**
 * Run a composite job's steps in order. The first failure stops the job unless that step says
 * `continueOnError`; every step's result is kept under `meta.steps`.
 */
export async function runSteps(steps: readonly ExecSpec[], ctx: GitVanContext, signal: AbortSignal): Promise<ExecResult> {
  const started = performance.now()
  const results: (ExecResult & { step: string })[] = []
  let failed: (ExecResult & { step: string }) | undefined
  for (const [index, spec] of steps.entries()) {
    if (signal.aborted) break
    const result = { step: spec.name ?? `${index + 1}:${spec.exec}`, ...(await runExec(spec, { ctx, signal })) }
    results.push(result)
    if (!result.ok && !spec.continueOnError) {
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

/** Refuse a composite job whose steps cannot run: an exec type nobody registered, or a built-in one missing a field. */
export function checkSteps(steps: readonly unknown[], types: ReadonlyMap<string, { handler: ExecHandler }>): void {
  steps.forEach((step, index) => {
    const problem = execSpecProblem(step, types)
    if (problem) throw new JobDefinitionError(`steps[${index}]`, `\`steps[${index}]\`: ${problem}`)
  })
}
