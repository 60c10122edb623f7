import type { ExecHandler } from '../types/exec'

/** A handler whose module loads on first use: a job that never renders a template never loads nunjucks. */
function lazy(load: () => Promise<ExecHandler>): ExecHandler {
  let handler: Promise<ExecHandler> | undefined
  return async (spec, context) => (await (handler ??= load()))(spec, context)
}

/** The exec types GitVan ships; plugins add more through `exec:types` / `addExecType`. */
export const builtinExecTypes: Record<string, ExecHandler> = {
  cli: lazy(() => import('./types/cli').then(m => m.cliExec)),
  js: lazy(() => import('./types/js').then(m => m.jsExec)),
  job: lazy(() => import('./types/job').then(m => m.jobExec)),
  tmpl: lazy(() => import('./types/tmpl').then(m => m.tmplExec)),
  llm: lazy(() => import('./types/llm').then(m => m.llmExec)),
}
