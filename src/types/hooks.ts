import type { GitVanApp } from './app'
import type { ResolvedGitVanConfig } from './config'
import type { ExecHandler, ExecResult } from './exec'
import type { JobEvent, JobFile } from './job'
import type { Receipt } from './receipt'

type HookResult = void | Promise<void>

/**
 * GitVan's lifecycle hooks, named `namespace:event`. Plugins add their own through declaration merging:
 * `declare module 'gitvan' { interface GitVanHooks { 'notify:sent': (to: string) => void } }`.
 */
export interface GitVanHooks {
  /** The config is loaded and defaulted; it may still be changed in place. */
  'config:resolved': (config: ResolvedGitVanConfig) => HookResult
  /** Job files were discovered; add, remove or reorder entries of the array in place. */
  'jobs:scanned': (jobs: JobFile[]) => HookResult
  'job:before': (event: JobEvent) => HookResult
  'job:after': (event: JobEvent, result: ExecResult) => HookResult
  'job:error': (event: JobEvent, error: Error) => HookResult
  /** Register exec types: `register('http', handler)`. */
  'exec:types': (register: (name: string, handler: ExecHandler) => void) => HookResult
  'receipt:written': (receipt: Receipt) => HookResult
  close: (app: GitVanApp) => HookResult
}
