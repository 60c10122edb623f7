import type { ExecResult } from './exec'
import type { JobTrigger } from './job'
import type { RunLog } from './log'
import type { Receipt } from './receipt'

// The daemon and its job workers talk in these messages (structured clones: plain data only, kept small).

/** What a job worker needs to create its app: the daemon's repository and config file. */
export interface JobWorkerData {
  cwd: string
  configFile?: string
}

/** One run for a job worker: the job and everything its context is made of. */
export interface JobRunRequest {
  job: string
  trigger: JobTrigger
  head: string
  branch: string | null
  /** Seconds: the run's `now()`. */
  commitTime?: number
  worktree: { id: string; root: string; branch: string | null }
  /** The run's timeout in ms: past it the daemon checks that the worker still answers. */
  timeout: number
}

/**
 * A run's end as its worker reports it: the result without its output or `meta` (the receipt and the log keep
 * what is kept), the receipt, and the run's log.
 */
export interface JobRunAnswer {
  result: Pick<ExecResult, 'ok' | 'durationMs' | 'error' | 'exitCode' | 'artifact'>
  receipt: Receipt
  log?: RunLog
}

/** How a run ended that its code could not report: one line for the receipt's `error`. */
export interface Interruption {
  status: 'error' | 'timeout' | 'cancelled'
  error: string
  /** Why a `cancelled` run was (`superseded by ...`). */
  reason?: string
  /** Whether its job code had started (`job:before` was called): only then are `job:error` and `job:after` called for it. */
  started: boolean
}

export type ToJobWorker =
  | { type: 'run'; id: number; request: JobRunRequest }
  /** Abort run `id`'s signal: with a `RunCancelled` when `cancelled`, else an `Error(reason)`. */
  | { type: 'abort'; id: number; reason: string; cancelled: boolean }
  /** Answer `pong` (the daemon checks that a run past its timeout is not stuck in synchronous code). */
  | { type: 'ping' }
  /** Job files changed: load them again, keeping the last good version of a job that no longer loads; say `reloaded`. */
  | { type: 'reload'; id: number }
  /** Close the app (its `close` hook) and end. */
  | { type: 'close' }

export type FromJobWorker =
  | { type: 'ready' }
  /** Reload `id` is done: runs from now on use what it loaded. */
  | { type: 'reloaded'; id: number }
  | { type: 'pong' }
  | { type: 'done'; id: number; answer: JobRunAnswer }
  /** Run `id` could not start in the worker (its job does not load there). */
  | { type: 'failed'; id: number; error: string }
  /** An uncaught exception or unhandled rejection: the worker ends right after this. */
  | { type: 'crash'; error: string }
  /** The run going on had started (`job:before`): sent as its code ends the worker (a crash, `process.exit`), with what it wrote. */
  | { type: 'ended'; log?: RunLog }
  /** A `cli` step's process group started (`running`) or is gone: if the worker dies, the daemon kills what is left. */
  | { type: 'group'; pgid: number; running: boolean }
