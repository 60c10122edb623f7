import type { ExecHandler } from '../types/exec'
import { cliExec } from './types/cli'
import { jobExec } from './types/job'
import { jsExec } from './types/js'
import { llmExec } from './types/llm'
import { tmplExec } from './types/tmpl'

/** The exec types GitVan ships; plugins add more through `exec:types` / `addExecType`. */
export const builtinExecTypes: Record<string, ExecHandler> = {
  cli: cliExec,
  js: jsExec,
  job: jobExec,
  tmpl: tmplExec,
  llm: llmExec,
}
