import type { Hookable } from 'hookable'
import type { ResolvedGitVanConfig } from './config'
import type { ExecHandler, ExecResult } from './exec'
import type { RefStore, RepoInfo } from './git'
import type { GitVanHooks } from './hooks'
import type { Job, JobFile, JobTrigger } from './job'
import type { LLMProvider, LLMRegistry } from './llm'
import type { RunLog } from './log'
import type { InstalledGitVanPlugin } from './plugin'
import type { Receipt } from './receipt'
import type { ReceiptStore } from '../receipts/store'

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
  /** Absolute path of the config file, if there is one. */
  readonly configFile?: string
  /**
   * Every function registered here (`hook`, `hooks.hook`, `hooks.addHooks`) is guarded: a throw is reported
   * with the owner's name and the event goes on. Unregister with the function `hook()` returns.
   */
  readonly hooks: Hookable<GitVanHooks>
  /** Shorthand for `hooks.hook`; inside a plugin's setup or hook the plugin owns what it registers. */
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
  /** LLM providers: the built-in ones plus those plugins add. */
  readonly llmProviders: LLMRegistry
  /** Installed plugins, in install order. */
  readonly plugins: readonly InstalledGitVanPlugin[]
  /** The project's jobs (scanned on first use). */
  scanJobs: () => Promise<JobFile[]>
  loadJob: (id: string) => Promise<Job>
  /** Where receipts are appended (manual runs) or published in fenced batches (the daemon). */
  readonly receipts: ReceiptStore
  /** Where GitVan's refs are decided: the repository, or the `remote` every machine pushes to (mirrored locally). */
  readonly refs: RefStore
  /** Run a job now and append its receipt (and log). */
  runJob: (id: string, options?: RunJobOptions) => Promise<JobRun>
  /**
   * `files` changed (`gitvan dev`): drop the loaded project modules they change (them and the modules importing
   * them; every module when the auto-imports changed) and rescan jobs: the next load reads those files again.
   * Without `files`, every project module is dropped. Returns the dropped files, or `'all'`.
   */
  reloadModules: (files?: readonly string[]) => Promise<ReadonlySet<string> | 'all'>
  /** Import a project file with auto-imports (jobs, plugins, `js` step modules). */
  importModule: <T = unknown>(file: string) => Promise<T>
  /** `owner` defaults to the plugin (or config hook) doing the call: duplicate names are errors naming both. */
  addExecType: (name: string, handler: ExecHandler, owner?: string) => void
  /** Add an LLM provider to `llmProviders`; a name already taken is an error. */
  addLLMProvider: (provider: LLMProvider) => void
  addImports: (imports: GitVanImport | GitVanImport[]) => void
  /** Relative dirs resolve against the repository root. */
  addImportsDir: (dir: string) => void
  /** Jobs of the project's own jobs dir win over same-id jobs of added dirs. */
  addJobsDir: (dir: string) => void
  /** Templates of the project's own dir win over same-name templates of added dirs. */
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
  /** The worktree the run is about (default: the one GitVan runs in). */
  worktree?: { id: string; root: string; branch: string | null }
  /** Ids of the jobs that called this one (set by `exec: 'job'`). */
  jobChain?: readonly string[]
  signal?: AbortSignal
}

export interface JobRun {
  id: string
  result: ExecResult
  /** `undefined` when there is no commit to attach a receipt to (empty repository). */
  receipt?: Receipt
  /** What the run wrote, capped and redacted; `undefined` when it wrote nothing. */
  log?: RunLog
}
