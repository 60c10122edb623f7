import type { CommitSummary } from './git'
import type { JobTrigger } from './job'
import type { RunLog } from './log'

/**
 * How a run ended. `ok` and `skipped` are successes; `error` and `timeout` are failures (retried per the job's
 * `retry`, re-run by `gitvan rerun`); `cancelled` is neither: a newer run of the job's concurrency group took
 * its place. Every status but a failure with retries left settles the (job, commit) pair.
 */
export type ReceiptStatus = 'ok' | 'error' | 'timeout' | 'skipped' | 'cancelled'

/** One line of JSON appended to the note of the run's commit on the receipts ref. */
export interface Receipt {
  v: 1
  job: string
  sha: string
  /** `status` is `ok` or `skipped`. */
  ok: boolean
  status: ReceiptStatus
  trigger: JobTrigger
  startedAt: string
  finishedAt: string
  durationMs: number
  worktree: string
  host: string
  pid: number
  artifact?: string
  error?: string
  /** Why a run was `skipped` or `cancelled` (`superseded`, the job's own words, ...). */
  reason?: string
  /** The run's log: the id of the Git blob holding its output by step (see `gitvan show`); none when it wrote nothing. */
  log?: string
}

/** A receipt on its way to Git, with the log of its run (written together, see `ReceiptStore`). */
export interface ReceiptEntry {
  receipt: Receipt
  /** The commit whose note holds it (default `receipt.sha`): a schedule slot's anchor, for schedule runs. */
  on?: string
  /** What the run wrote; none when it wrote nothing. */
  log?: RunLog
}

/** A receipt as the receipts index holds it. */
export interface IndexedRun extends Receipt {
  /** The commit whose note holds it: `sha`, or a schedule slot's anchor commit. */
  note: string
  /** Its place among the receipts of that note, from 1: with `note`, names the run. */
  position: number
  /** 1 for the first run of its pair (the job and what it settles), 2 for the next, ...: none is overwritten. */
  attempt: number
}

/** Every receipt on the receipts ref, in memory, brought up to date by `refresh` (see `createReceiptIndex`). */
export interface ReceiptIndex {
  /** The notes commit indexed; `null` when the ref does not exist (no receipts). */
  readonly tip: string | null
  /** Every run, newest start first: a new array after each change, the same one until then. */
  readonly runs: readonly IndexedRun[]
  /** The runs in the note of one commit, in the order they were appended. */
  runsOf: (note: string) => readonly IndexedRun[]
  /** Subject and author of a commit runs were for; `null` when the repository does not have it. */
  commit: (sha: string) => CommitSummary | null
  /** Lines of notes that are not receipts. */
  invalid: () => { note: string; line: string }[]
  /** Read what changed on the ref since the last refresh; the commits whose notes changed (none: `[]`). */
  refresh: () => Promise<string[]>
  close: () => Promise<void>
}
