import type { GitVanContext } from './context'
import type { JobId } from './job'

/** The normalized result every exec type returns (the seed's shape plus timing and error details). */
export interface ExecResult {
  ok: boolean
  stdout?: string
  stderr?: string
  /** Path (relative to the root) of a file the step produced. */
  artifact?: string
  /** One-line reason when `ok` is false. */
  error?: string
  exitCode?: number
  durationMs: number
  meta?: Record<string, unknown>
}

/** What every exec spec accepts: a plugin's spec extends it (`interface HttpSpec extends ExecSpecBase { exec: 'http' }`). */
export interface ExecSpecBase {
  /** Milliseconds before the step is stopped and fails with a timeout. */
  timeout?: number
  /** Composite jobs: go on with the next step when this one fails. */
  continueOnError?: boolean
  /** Label shown in logs and `meta.steps`. */
  name?: string
}

export interface CliExecSpec extends ExecSpecBase {
  exec: 'cli'
  cmd: string
  args?: string[]
  /** Relative to the root; must stay inside it. */
  cwd?: string
  env?: Record<string, string>
  /** Run `cmd` through `/bin/sh -c` (args are then appended as positional parameters). */
  shell?: boolean
}

export interface JsExecSpec extends ExecSpecBase {
  exec: 'js'
  /** Module path relative to the root. */
  module: string
  /** Named export to call (default: `default`). */
  export?: string
  input?: unknown
}

export interface JobExecSpec extends ExecSpecBase {
  exec: 'job'
  /** One of the project's job ids once `gitvan prepare` ran (a typo is then a type error). */
  job: JobId
  payload?: unknown
}

export interface TmplExecSpec extends ExecSpecBase {
  exec: 'tmpl'
  template: string
  data?: Record<string, unknown>
  /** Output path relative to the root; becomes the result's artifact. */
  out?: string
}

interface LlmExecFields extends ExecSpecBase {
  exec: 'llm'
  data?: Record<string, unknown>
  system?: string
  provider?: string
  model?: string
  /** A JSON schema: the answer must be JSON matching it (`meta.data` holds it). */
  json?: Record<string, unknown>
  /** Write the answer to this file (relative to the root; it may not leave it); it becomes the artifact. */
  out?: string
  /** Replay a stored answer for the same request (default `llm.cache`). */
  cache?: boolean
  /** Per-call settings: temperature, seed, timeout, maxRetries; other keys go to the provider as options. */
  options?: Record<string, unknown>
}

/** The prompt itself, or `template`: a nunjucks template in the template dirs, rendered with `data`; exactly one. */
export type LlmExecSpec = LlmExecFields & ({ prompt: string; template?: never } | { template: string; prompt?: never })

/** Exec specs added by plugins: `declare module 'gitvan' { interface ExecSpecs { http: HttpSpec } }`. */
export interface ExecSpecs {
  cli: CliExecSpec
  js: JsExecSpec
  job: JobExecSpec
  tmpl: TmplExecSpec
  llm: LlmExecSpec
}

export type ExecSpec = ExecSpecs[keyof ExecSpecs]

export interface ExecHandlerContext {
  ctx: GitVanContext
  /** Aborted on timeout or shutdown. */
  signal: AbortSignal
}

export type ExecHandler<S = any> = (spec: S, context: ExecHandlerContext) => Promise<ExecResult> | ExecResult
