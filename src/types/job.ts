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

/** A glob or several (picomatch syntax: `*`, `**`, `{a,b}`, `!negation`). */
export type Globs = string | string[]

export interface PathFilter {
  /** At least one changed path, of any kind, matches. */
  any?: Globs
  added?: Globs
  modified?: Globs
  deleted?: Globs
}

export interface CommitFilter {
  /** Branch globs the commit must be on (default: any branch). */
  branches?: Globs
  /**
   * Path globs; at least one changed path must match (`paths: 'src/**'`), or only added / modified / deleted
   * ones (`paths: { added: 'migrations/**' }`). A merge's paths are its changes against the first parent.
   */
  paths?: Globs | PathFilter
  /** Regular expression the full commit message must match. */
  message?: string
  /** Globs matched against the author's name and email (either may match). */
  author?: Globs
  /** Conventional-commit types (`feat`, `fix`, ...) of the subject `type(scope)!: ...`. */
  type?: string | string[]
  /** Conventional-commit scopes. */
  scope?: string | string[]
  /** `true`: only merge commits; `false`: no merge commits; `{ into }`: merges landing on these branches. */
  merge?: boolean | { into: Globs }
}

export interface TagFilter {
  /** Tag name globs (default: any tag). */
  match?: Globs
  /** Only tags that are semantic versions (`1.2.3`, `v1.2.3-rc.1`). */
  semver?: boolean
}

export interface JobTriggers {
  commit?: true | CommitFilter
  /** Tags, fired once when a matching tag appears: globs, or `{ match?, semver? }`. */
  tag?: Globs | TagFilter
  /** New branches, fired once when a matching branch appears. */
  branch?: Globs
}

export interface RetryPolicy {
  /** Extra attempts after a failed run (default 0). */
  count: number
  /** Milliseconds before the first retry, doubled each time (default 10000). */
  backoff?: number
}

export type JobTrigger =
  | { type: 'manual' }
  | { type: 'commit'; sha: string; branch: string | null }
  | { type: 'tag'; tag: string; sha: string }
  | { type: 'branch'; branch: string; sha: string }
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
  /** Daemon runs that fail are retried this way; then they stay failed until `gitvan rerun`, `gitvan run` or `--retry-failed`. */
  retry?: RetryPolicy
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
