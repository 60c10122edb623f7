import type { ConsolaInstance } from 'consola'
import type { GitVanApp } from './app'
import type { ResolvedGitVanConfig } from './config'
import type { RunLogCollector } from './log'

/** What every job run, composable and exec step sees (see `useGitVan()`). */
export interface GitVanContext {
  /** Where GitVan runs: the top level of its worktree; config, jobs and relative paths resolve here. */
  root: string
  /** Top level of the worktree this run is about (equals `root` unless the daemon serves other worktrees). */
  worktreeRoot: string
  /** Commit the run is for (HEAD for manual runs), `null` in an empty repository. */
  head: string | null
  /** Branch the run is for, `null` when detached. */
  branch: string | null
  /** The environment jobs get: the config's allowlist plus `GITVAN_*` variables. */
  env: Record<string, string>
  /** Deterministic clock: `GITVAN_NOW`, else the triggering commit's time, else the wall clock. */
  now: () => Date
  worktree: { id: string; branch: string | null }
  config: ResolvedGitVanConfig
  /** A consola logger; inside a run its lines are tagged with the job id and kept in the run's log too. */
  logger: ConsolaInstance
  /** The run's output as it is collected (steps, `cli` output, `console.*`, `logger`), capped and redacted. */
  runLog: RunLogCollector
  /** The running GitVan: exec types, templates, jobs. */
  app: GitVanApp
  /** Aborted when the run times out or GitVan shuts down: pass it on to long work. */
  signal: AbortSignal
  /** Ids of the jobs running this one through `exec: 'job'`, outermost first (cycle and depth checks). */
  jobChain: readonly string[]
}
