import type { GitVanContext } from './context'
import type { ExecResult, ExecSpec } from './exec'

/**
 * Job ids known to the project, filled in by `gitvan prepare` through declaration merging:
 * `declare module 'gitvan' { interface GitVanJobs { 'docs:changelog': true } }`.
 */
export interface GitVanJobs {}

/** A job id: the union of the project's ids once `gitvan prepare` ran, any string before. */
export type JobId = [keyof GitVanJobs] extends [never] ? string : Extract<keyof GitVanJobs, string>

export type JobKind = 'atomic' | 'composite'

export interface JobMeta {
  desc?: string
  /** Cron expression (croner syntax, seconds allowed, UTC unless `timezone`). */
  schedule?: string
  timezone?: string
  tags?: string[]
}

export interface CommitFilter {
  /** Branch globs the commit must be on (default: any branch). */
  branches?: string | string[]
  /** Path globs; at least one changed path must match. */
  paths?: string | string[]
  /** Regular expression the commit message must match. */
  message?: string
}

export interface JobTriggers {
  commit?: true | CommitFilter
  /** Tag globs; fires once when a matching tag appears. */
  tag?: string | string[]
}

export type JobTrigger =
  | { type: 'manual' }
  | { type: 'commit'; sha: string; branch: string | null }
  | { type: 'tag'; tag: string; sha: string }
  | { type: 'schedule'; slot: string }
  | { type: 'job'; parent: string }

export interface JobEvent<Payload = unknown> {
  id: string
  payload: Payload
  trigger: JobTrigger
  ctx: GitVanContext
}

/** What `run` may return: a partial result (`ok` defaults to true), any value (kept in `meta.value`), or nothing. */
export type JobRunReturn = Partial<ExecResult> | Record<string, unknown> | string | number | boolean | void | undefined

export interface JobDefinition<Payload = any> {
  /** Inferred from `run` (atomic) or `steps` (composite) when absent. */
  kind?: JobKind
  meta?: JobMeta
  on?: JobTriggers
  run?: (event: JobEvent<Payload>) => JobRunReturn | Promise<JobRunReturn>
  steps?: ExecSpec[]
  /** Runs before `run`; throwing, or returning a string or `false`, refuses the run. */
  validate?: (event: JobEvent<Payload>) => void | boolean | string | Promise<void | boolean | string>
  /** Milliseconds before the run fails with a timeout (default: `jobs.timeout`). */
  timeout?: number
  /** Extra environment variables for the job's `cli` steps. */
  env?: Record<string, string>
}

/** A definition after `defineJob()` validated it. */
export interface Job<Payload = any> extends JobDefinition<Payload> {
  kind: JobKind
  meta: JobMeta
}

/** A job file found by `scanJobs()`. */
export interface JobFile {
  id: string
  /** Absolute path. */
  file: string
  /** The jobs dir it was found in. */
  dir: string
}
