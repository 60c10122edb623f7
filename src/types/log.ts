/** Where a line of a run's output went: `stdout` (console.log/info/debug, the logger's info and below) or `stderr`. */
export type RunLogStream = 'stdout' | 'stderr'

/** A step of a composite job starts: the output after it, up to the next step, is that step's. */
export interface RunLogStepEntry {
  /** Milliseconds since the run started. */
  t: number
  step: string
}

/** One line of stdout (without its newline); a line longer than 4 KiB is split over several entries. */
export interface RunLogOutEntry {
  t: number
  out: string
}

/** One line of stderr, likewise. */
export interface RunLogErrEntry {
  t: number
  err: string
}

export type RunLogLineEntry = RunLogOutEntry | RunLogErrEntry

/** Where the cap dropped output: the lines (and their bytes) between the kept head and the kept tail. */
export interface RunLogCutEntry {
  /** Time of the last line dropped. */
  t: number
  cut: { lines: number; bytes: number }
}

export type RunLogEntry = RunLogStepEntry | RunLogLineEntry | RunLogCutEntry

/**
 * What a run wrote, in order, already capped and redacted: plain data, so it can cross a worker boundary and be
 * written with the receipt. Stored as one Git blob (see docs/concepts/receipts.md#logs).
 */
export interface RunLog {
  entries: RunLogEntry[]
}

/** Collects the output of one run (`ctx.runLog`): steps, `cli` output as it streams, `console.*` and `ctx.logger`. */
export interface RunLogCollector {
  /** The output that follows belongs to step `name`. */
  step: (name: string) => void
  /** Record `text` (any number of lines) on `stream`; returns it redacted, which is what may be shown. */
  write: (stream: RunLogStream, text: string) => string
  /** A sink for a child process's `stream`: bytes as they arrive, decoded and split into lines; `end` flushes. */
  pipe: (stream: RunLogStream) => { write: (chunk: Buffer) => void; end: () => void }
  /** `text` with the value of every secret replaced by `[redacted]`. */
  redact: (text: string) => string
  /** Stop collecting (later writes are dropped); the log, or `undefined` when the run wrote no output. */
  finish: () => RunLog | undefined
}

/** A log as read back for a receipt. */
export type RunLogRead =
  /** The run wrote no output: the receipt names no log. */
  | { status: 'none' }
  | { status: 'kept'; oid: string; bytes: number; log: RunLog }
  /** The receipt names a log that `refs/gitvan/logs` does not hold: pruned, or never fetched here. */
  | { status: 'missing'; oid: string }
  /** The blob is there but is not a log (written by something else, or damaged). */
  | { status: 'unreadable'; oid: string; reason: string }

/** What `gitvan prune --logs-older-than` removed. */
export interface LogPruneReport {
  /** Logs of runs that started before this time are gone. */
  before: string
  /** Logs removed, and their size. */
  runs: number
  bytes: number
  /** What was dropped from the logs tree, oldest first: day folders, hour folders, and single logs of the hour cut in. */
  paths: string[]
}
