import type { GitVanApp } from './app'
import type { ResolvedGitVanConfig } from './config'
import type { ExecHandler, ExecResult } from './exec'
import type { JobEvent, JobFile } from './job'
import type { LLMRegistry } from './llm'
import type { Receipt } from './receipt'

type HookResult = void | Promise<void>

/** What `daemon:start` receives: the app and the worktrees the daemon serves. */
export interface DaemonStartInfo {
  app: GitVanApp
  pid: number
  /** The worktrees watched (one unless `daemon.worktrees` is `all`). */
  worktrees: { id: string; root: string; branch: string | null }[]
}

/** What `daemon:tick` receives after each look at the refs (watch event, poll or schedule slot). */
export interface DaemonTickInfo {
  /** When the tick started. */
  at: Date
  /** Runs queued by this tick. */
  queued: number
  /** Runs in progress when the tick ended. */
  running: number
}

/** What `daemon:close` receives: why the daemon stops. */
export interface DaemonCloseInfo {
  /** `signal`: SIGINT/SIGTERM; `error`: a fatal error; `done`: stopped by its caller. */
  reason: 'signal' | 'error' | 'done'
  signal?: NodeJS.Signals
  error?: Error
}

/** What `dev:reload` receives: the files whose change made `gitvan dev` reload. */
export interface DevReloadInfo {
  /** Absolute paths of the changed files. */
  files: string[]
  /** Whether the config changed (the app, plugins included, was created again). */
  config: boolean
}

/**
 * GitVan's lifecycle hooks, named `namespace:event`. Plugins add their own through declaration merging:
 * `declare module 'gitvan' { interface GitVanHooks { 'notify:sent': (to: string) => void } }`.
 * Every hook is awaited, in registration order (config hooks first, then plugins in order); one that throws
 * is reported with its owner's name and skipped: the other hooks of the event and the caller go on.
 */
export interface GitVanHooks {
  /** Plugins are set up: the config may still be changed in place (jobs see the change). */
  'config:resolved': (config: ResolvedGitVanConfig) => HookResult
  /** Job files were discovered; add, remove or reorder entries of the array in place. */
  'jobs:scanned': (jobs: JobFile[]) => HookResult
  'job:before': (event: JobEvent) => HookResult
  'job:after': (event: JobEvent, result: ExecResult) => HookResult
  'job:error': (event: JobEvent, error: Error) => HookResult
  /** Register exec types: `register('http', handler)` (the hook's owner is the type's owner; a clash is fatal). */
  'exec:types': (register: (name: string, handler: ExecHandler) => void) => HookResult
  /** Plugins are set up: add LLM providers with `registry.add(provider)` (the registry is `app.llmProviders`). */
  'llm:providers': (registry: LLMRegistry) => HookResult
  'receipt:written': (receipt: Receipt) => HookResult
  /** The daemon is about to watch: called once, before the first tick. */
  'daemon:start': (info: DaemonStartInfo) => HookResult
  /** The daemon looked at the refs and queued what was due. */
  'daemon:tick': (info: DaemonTickInfo) => HookResult
  /** The daemon stops: running jobs are finished (or past `daemon.grace`), before `close`. */
  'daemon:close': (info: DaemonCloseInfo) => HookResult
  /** `gitvan dev` picked up changed files and reloaded jobs (and the app, for a config change). */
  'dev:reload': (info: DevReloadInfo) => HookResult
  /** The app is shutting down (`app.close()`). */
  'close': (app: GitVanApp) => HookResult
}
