import type { ExecHandler } from '../types/exec'
import { isPlainObject } from '../utils/messages'
import { resolveExecType } from './registry'

const isText = (value: unknown) => typeof value === 'string' && value !== ''

/** What each built-in exec type cannot run without (the required fields of its spec type in `ExecSpecs`). */
const REQUIRED: Record<string, { holds: (spec: Record<string, unknown>) => boolean; needs: string }> = {
  cli: { holds: spec => isText(spec.cmd), needs: "`cmd`, e.g. { exec: 'cli', cmd: 'echo' }" },
  js: { holds: spec => isText(spec.module), needs: "`module`, e.g. { exec: 'js', module: 'scripts/build.ts' }" },
  job: { holds: spec => isText(spec.job), needs: "`job`, a job id, e.g. { exec: 'job', job: 'docs:changelog' }" },
  tmpl: { holds: spec => isText(spec.template), needs: "`template`, e.g. { exec: 'tmpl', template: 'changelog.njk' }" },
  llm: { holds: spec => (spec.prompt === undefined) !== (spec.template === undefined), needs: "exactly one of `prompt` or `template`, e.g. { exec: 'llm', prompt: 'Summarize ...' }" },
}

/**
 * Why `spec` cannot run, or `null`: not an object, an exec type nobody registered, or a built-in type without a
 * field it needs. Checked when a job file loads (its steps) and again before any step runs (`useExec().exec`).
 */
export function execSpecProblem(spec: unknown, types: ReadonlyMap<string, { handler: ExecHandler }>): string | null {
  if (!isPlainObject(spec)) return `An exec spec must be an object like { exec: 'cli', cmd: 'echo' }, got ${JSON.stringify(spec)}`
  try {
    resolveExecType(types, spec.exec)
  } catch (error) {
    return (error as Error).message
  }
  const required = REQUIRED[spec.exec as string]
  return required && !required.holds(spec) ? `exec '${spec.exec}' needs ${required.needs}` : null
}
