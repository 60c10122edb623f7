import type { Hookable } from 'hookable'
import type { ResolvedGitVanConfig } from './config'
import type { ExecHandler, ExecResult } from './exec'
import type { RepoInfo } from './git'
import type { GitVanHooks } from './hooks'
import type { Job, JobFile, JobTrigger } from './job'
import type { Receipt } from './receipt'

/** An auto-import: `{ name: 'useFoo', from: '/abs/path/or/package' }` (unimport's shape). */
export interface GitVanImport {
  name: string
  as?: string
  from: string
}

/** The running GitVan instance: what plugins receive and what runs jobs. */
export interface GitVanApp {
  readonly version: string
  readonly options: ResolvedGitVanConfig
  readonly repo: RepoInfo
  readonly hooks: Hookable<GitVanHooks>
  /** Shorthand for `hooks.hook`. */
  hook: Hookable<GitVanHooks>['hook']
  callHook: Hookable<GitVanHooks>['callHook']
  /** Absolute jobs dirs, the project's first. */
  readonly jobsDirs: string[]
  /** Absolute template dirs, the project's first. */
  readonly templatesDirs: string[]
  readonly imports: GitVanImport[]
  /** Absolute dirs whose exports are auto-imported. */
  readonly importsDirs: string[]
  /** Registered exec types. */
  readonly execTypes: ReadonlyMap<string, { handler: ExecHandler; owner: string }>
  /** The project's jobs (scanned on first use). */
  scanJobs: () => Promise<JobFile[]>
  loadJob: (id: string) => Promise<Job>
  /** Run a job now and write its receipt. */
  runJob: (id: string, options?: RunJobOptions) => Promise<JobRun>
  /** Import a project file with auto-imports (jobs, plugins, `js` step modules). */
  importModule: <T = unknown>(file: string) => Promise<T>
  addExecType: (name: string, handler: ExecHandler, owner?: string) => void
  addImports: (imports: GitVanImport | GitVanImport[]) => void
  addImportsDir: (dir: string) => void
  addJobsDir: (dir: string) => void
  addTemplatesDir: (dir: string) => void
  close: () => Promise<void>
}

export interface RunJobOptions {
  payload?: unknown
  trigger?: JobTrigger
  /** Commit the run is for (default HEAD). */
  head?: string | null
  branch?: string | null
  /** Commit time in seconds: `now()` of the run. */
  commitTime?: number
  /** The clock of the run (a nested job keeps its parent's). */
  now?: () => Date
  /** Ids of the jobs that called this one (set by `exec: 'job'`). */
  jobChain?: readonly string[]
  signal?: AbortSignal
}

export interface JobRun {
  id: string
  result: ExecResult
  /** `undefined` when there is no commit to attach a receipt to (empty repository). */
  receipt?: Receipt
}
