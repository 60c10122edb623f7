import type { LLMConfig } from './llm'
import type { GitVanHooks } from './hooks'
import type { GitVanPluginEntry } from './plugin'

/** The `daemon` section. */
export interface DaemonConfig {
  /** Commits looked at on first start, or for a branch never seen (default 50). */
  lookback: number
  /** Runs at once (default 4). */
  concurrency: number
  /** Milliseconds between fallback polls of the refs (default 2000). */
  pollInterval: number
  /** `current`: the worktree GitVan runs in; `all`: every worktree of the repository. */
  worktrees: 'current' | 'all'
  /** Milliseconds running jobs get to finish on SIGINT/SIGTERM (default 10000). */
  grace: number
  /** When idle for a while, run `git gc --auto` (at most every ten minutes) so GitVan's objects get packed (default true). */
  housekeeping: boolean
}

/** The `llm` section: provider settings (see `LLMConfig`) with their defaults, and the response cache switch. */
export type LLMOptions = LLMConfig & Required<Pick<LLMConfig, 'provider' | 'temperature' | 'seed' | 'timeout' | 'maxRetries' | 'retryDelay' | 'maxRetryDelay'>> & {
  /** Keep responses in Git (`refs/gitvan/llm-cache`) and replay them for the same request. */
  cache: boolean
}

/** The resolved configuration: every key has a value (see `src/config/defaults.ts`). */
export interface ResolvedGitVanConfig {
  /** Directory the config was loaded from; relative dirs below resolve against it. */
  rootDir: string
  /** Job files, relative to rootDir (default `jobs`). */
  jobsDir: string
  /** Nunjucks templates, relative to rootDir (default `templates`). */
  templatesDir: string
  /** Folders whose exports are auto-imported in job files (default `['composables', 'utils']`). */
  importsDirs: string[]
  /** Local plugin files installed automatically (default `plugins`). */
  pluginsDir: string
  jobs: {
    /** Default per-run timeout in milliseconds (default 300000). */
    timeout: number
    /** Deepest chain of `exec: 'job'` calls (default 8). */
    maxDepth: number
    /**
     * Where the daemon runs job code: `worker` (default), a warm pool of worker threads, where a crash, an
     * unhandled rejection, `process.exit`, a synchronous loop or a memory blow-up ends that run only; `none`, the
     * daemon's own thread (a debugger, `process.chdir`, plugins that share memory between job and daemon hooks).
     */
    isolation: 'worker' | 'none'
    /** Heap (V8 old generation) each job worker may use, in MB, before its run fails as out of memory (default 512). */
    memoryLimit: number
  }
  templates: {
    /** HTML-escape output (default false: templates make code and docs). */
    autoescape: boolean
  }
  daemon: DaemonConfig
  locks: {
    /** Lease lifetime in milliseconds; renewed while a run goes on (default 30000). */
    ttl: number
  }
  /**
   * The Git remote (a name like `origin`, or a URL) through which runners on several machines share the work:
   * leases, claims, receipts, logs, the daemon state and the LLM cache are decided there. `false` (default): the
   * local repository alone.
   */
  remote: string | false
  receipts: {
    /** Notes ref holding one JSON line per run (default `refs/notes/gitvan/results`). */
    ref: string
  }
  logs: {
    /** Bytes of output kept per run: the first half and the last half, with a marker for what was cut (default 1 MiB); 0 keeps none. */
    maxBytes: number
    /** Names of environment variables whose values are replaced by `[redacted]` in logs and errors; `llm.apiKeyEnv` is always added. */
    secrets: string[]
  }
  /** Names of environment variables passed to jobs; nothing else of GitVan's environment is. */
  env: string[]
  plugins: GitVanPluginEntry[]
  hooks: Partial<{ [K in keyof GitVanHooks]: GitVanHooks[K] | GitVanHooks[K][] }>
  llm: LLMOptions
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends (...args: any[]) => any ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] }

/**
 * What a user writes in `gitvan.config.ts`: every key optional, and no others, so a misspelt key is a type error.
 * A plugin adds its `configKey` by declaration merging:
 * `declare module 'gitvan' { interface GitVanConfig { notify?: Partial<NotifyOptions> } }`.
 */
export interface GitVanConfig extends DeepPartial<Omit<ResolvedGitVanConfig, 'rootDir'>> {
  /** Configs to extend (c12): paths or packages, lower priority than this one. */
  extends?: string | string[]
}
