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
  /**
   * Slots missed while no daemon ran, run on the next start: `'latest'` (default) the newest missed slot once,
   * `'none'` nothing, a number the newest missed slots up to that many, oldest first.
   */
  catchUp?: 'latest' | 'none' | number
  tags?: string[]
}

/**
 * A glob or several (picomatch syntax: `*`, `**`, `{a,b}`), read in order as GitHub Actions reads filters: a
 * `!pattern` excludes what earlier patterns included (`['src/**', '!src/gen/**']`).
 */
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
  /** Branch globs the commit must not be on (GitHub Actions' `branches-ignore`). */
  branchesIgnore?: Globs
  /**
   * Path globs; at least one changed path must match (`paths: 'src/**'`), or only added / modified / deleted
   * ones (`paths: { added: 'migrations/**' }`). A merge's paths are its changes against the first parent.
   */
  paths?: Globs | PathFilter
  /** Path globs that do not count: a commit that changes only these does not match (`paths-ignore`). */
  pathsIgnore?: Globs
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

/** Names of tags or branches: which match, which do not. */
export interface NameFilter {
  /** Name globs (default: any). */
  match?: Globs
  /** Name globs that never match (GitHub Actions' `tags-ignore` / `branches-ignore`). */
  ignore?: Globs
  /** Tags only: just semantic versions (`1.2.3`, `v1.2.3-rc.1`). */
  semver?: boolean
}

export interface JobTriggers {
  commit?: true | CommitFilter
  /** Tags, fired once when a matching tag appears: globs, or `{ match?, ignore?, semver? }`. */
  tag?: Globs | NameFilter
  /** New branches, fired once when a matching branch appears: globs, or `{ match?, ignore? }`. */
  branch?: Globs | NameFilter
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

/** The results of a composite job's steps so far, by step `name`. */
export interface StepResults {
  steps: Record<string, ExecResult>
}

/** One step of a composite job: an exec spec, or a function of the earlier steps' results that returns one. */
export type JobStep = ExecSpec | ((done: StepResults & { ctx: GitVanContext }) => ExecSpec | Promise<ExecSpec>)

/** What a run is about, before it runs: what a concurrency group key can depend on. */
export interface RunTarget {
  job: string
  trigger: JobTrigger
  /** The commit the run is for. */
  sha: string
  branch: string | null
  /** The worktree id the run is about. */
  worktree: string
}

/**
 * Runs that must not go on at once, in the spirit of GitHub Actions' `concurrency`. Runs of one job in one
 * worktree never overlap anyway (unless the job runs in an isolated checkout); a group adds its own limit, shared
 * by every job naming the same group.
 */
export interface ConcurrencyPolicy {
  /** The group key: a string, or a function of the run (e.g. `run => \`deploy-${run.branch}\``). */
  group: string | ((run: RunTarget) => string)
  /** Runs of the group at once (default 1). */
  max?: number
  /**
   * When a newer run joins the group, older runs of it that are queued or running end as `cancelled`
   * (GitHub Actions' `cancel-in-progress`). Without it, they run in order, oldest first.
   */
  cancelInProgress?: boolean
}

/** Where a run's job code and commands see the repository's files. */
export type CheckoutMode = 'live' | 'isolated'

/** What `run` may return: a partial result (`ok` defaults to true), any value (kept in `meta.value`), or nothing. */
export type JobRunReturn = Partial<ExecResult> | Record<string, unknown> | string | number | boolean | void | undefined

export interface JobDefinition<Payload = any> {
  /** Inferred from `run` (atomic) or `steps` (composite) when absent. */
  kind?: JobKind
  meta?: JobMeta
  on?: JobTriggers
  run?: (event: JobEvent<Payload>) => JobRunReturn | Promise<JobRunReturn>
  /**
   * A composite job's steps, run in order. A step may be a function of the results of the steps before it (by
   * their `name`), returning the spec to run: `({ steps }) => ({ exec: 'cli', cmd: 'echo', args: [steps.version.stdout!] })`.
   */
  steps?: JobStep[]
  /** Runs before `run`; throwing, or returning a string or `false`, refuses the run. */
  validate?: (event: JobEvent<Payload>) => void | boolean | string | Promise<void | boolean | string>
  /** Milliseconds before the run fails with a timeout (default: `jobs.timeout`). */
  timeout?: number
  /** Extra environment variables for the job's `cli` steps. */
  env?: Record<string, string>
  /** Daemon runs that fail are retried this way; then they stay failed until `gitvan rerun`, `gitvan run` or `--retry-failed`. */
  retry?: RetryPolicy
  /** A group, or a group key, whose runs must not go on at once (see `ConcurrencyPolicy`). */
  concurrency?: string | ConcurrencyPolicy
  /**
   * When several commits of a line wait for this job at once, run only the newest and record the others as
   * `skipped` with reason `superseded` (Buildkite's "skip intermediate builds"): for jobs that care about the tip.
   */
  skipIntermediate?: boolean
  /**
   * `live` (default): run in the worktree as it is, where outputs land (generate files into my tree).
   * `isolated`: run in a temporary detached checkout of exactly the run's commit (test this commit).
   */
  checkout?: CheckoutMode
  /** Evaluated before the run (GitHub Actions' `if`): `false` ends it as `skipped`, which settles the pair. */
  if?: (event: JobEvent<Payload>) => boolean | Promise<boolean>
}

/** A definition after `defineJob()` validated it. */
export interface Job<Payload = any> extends JobDefinition<Payload> {
  kind: JobKind
  meta: JobMeta
  /** The file it was loaded from (absolute): errors its code throws name their line in it. */
  file?: string
}

/** A job file found by `scanJobs()`. */
export interface JobFile {
  id: string
  /** Absolute path. */
  file: string
  /** The jobs dir it was found in. */
  dir: string
}
