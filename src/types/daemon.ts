import type { LoadedJobs } from '../daemon/jobs'
import type { Receipt } from './receipt'

export interface DaemonOptions {
  /** Process everything pending, then return (CI). */
  once?: boolean
  lookback?: number
  concurrency?: number
  worktrees?: 'current' | 'all'
  /** Run once more each (job, commit) whose last receipt is a failure that used up its retries. */
  retryFailed?: boolean
  /** Where the daemon reports runs and problems. */
  report: (event: DaemonEvent) => void
}

export type DaemonEvent =
  | { type: 'run'; job: string; sha: string; status: Receipt['status']; durationMs: number; trigger: Receipt['trigger']; worktree: string; error?: string; reason?: string }
  | { type: 'broken'; job: string; message: string }
  | { type: 'warn'; message: string }
  | { type: 'start'; version: string; root: string; runner: string; mode: 'once' | 'daemon'; jobs: string[]; broken: string[]; worktrees: string[] }
  /** A backlog being worked through: commits settled since the start, and still pending; every few seconds. */
  | { type: 'progress'; done: number; pending: number; perSecond: number; secondsLeft: number | null }

export interface TickSummary {
  /** Items dispatched by this tick. */
  queued: number
  /** Items other live runners hold: still someone's work, which `--once` waits for. */
  held: number
  /** Items waiting out a retry's backoff. */
  waiting: number
}

export interface Daemon {
  /** Run until `stop()` (or, with `once`, until nothing is pending). */
  run: () => Promise<void>
  /** Stop taking work, give running jobs `daemon.grace` ms, then abort them; receipts are published, claims released. */
  stop: (signal?: NodeJS.Signals) => Promise<void>
  /** One pass over the repository: plan, claim and queue what is due, settle what is done. */
  tick: () => Promise<TickSummary>
  /**
   * Load the jobs again (`gitvan dev`). A job that no longer loads keeps its last good version; runs in flight
   * finish on the version they started with. Returns the ids loaded and the broken ones.
   */
  reloadJobs: () => Promise<LoadedJobs>
}
