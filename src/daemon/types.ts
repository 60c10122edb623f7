import type { RunnerLiveness, Runner } from '../locks/runners'
import type { GitVanApp } from '../types/app'
import type { DaemonConfig } from '../types/config'
import type { DaemonOptions } from '../types/daemon'
import type { Job, JobTrigger } from '../types/job'
import type { HousekeepingState } from './housekeeping'
import type { LoadedJobs } from './jobs'
import type { LineWork } from './line-work'
import type { Publisher } from './publish'
import type { RunQueue } from './queue'
import type { ItemRunner } from './run-item'
import type { createAnchors } from './schedule'
import type { SnapshotReader } from './snapshot'
import type { TriggerMatcher } from './triggers'

/** A job the daemon runs, loaded once per generation, with its triggers compiled. */
export interface DaemonJob {
  id: string
  job: Job
  triggers: TriggerMatcher
}

/** Where a run happens: a worktree of the repository. */
export interface RunPlace {
  id: string
  root: string
  branch: string | null
}

/** A group a run must get a place in before it starts (see `queue.ts`). */
export interface GroupNeed {
  name: string
  /** Runs of the group at once. */
  max: number
  /** A newer run of the group ends the older ones, queued or running, as `cancelled`. */
  cancelInProgress?: boolean
}

/**
 * One (job, key) the daemon may run. `key` is the commit sha for commit runs, else `tag:<name>`,
 * `branch:<name>` or `schedule:<slot>`; (job, key) is what runs exactly once.
 */
export interface WorkItem {
  job: DaemonJob
  key: string
  /** The commit the run is for. */
  sha: string
  /** The commit whose note holds the receipt: `sha`, or the slot's anchor for schedule runs. */
  noteOn: string
  trigger: JobTrigger
  branch: string | null
  /** Seconds: the run's `now()` (the commit's time; a schedule slot's time). */
  commitTime?: number
  place: RunPlace
  /** The line of history (branch or `HEAD@<worktree>`) whose progress this item holds back. */
  line?: string
  /** Groups the run needs a place in; empty for isolated runs without a declared group. */
  groups: GroupNeed[]
}

/** A line of history the daemon follows: a branch, or the detached HEAD of a served worktree. */
export interface HistoryLine {
  name: string
  branch: string | null
  tip: string
  place: RunPlace
  /** Checked out in a worktree the daemon serves (or a detached HEAD there), rather than only a ref. */
  checkedOut: boolean
}

/** A claimed item, with the session (runner and publisher) it was claimed by. */
export interface Flight {
  item: WorkItem
  claim: string
  session: Session
}

/** A runner lease and the publisher fenced by it (see `runner-session.ts`). */
export interface Session {
  runner: Runner
  publisher: Publisher<Flight>
}

/**
 * What the parts of one daemon share: made by `createDaemon` (daemon.ts), which alone starts and stops it, and
 * passed to the tick (tick.ts), dispatch (dispatch.ts), settling (settle.ts), the runner session, housekeeping and
 * schedule runs.
 */
export interface DaemonCore {
  app: GitVanApp
  options: DaemonOptions
  /** `daemon` config, with the options' overrides. */
  config: DaemonConfig
  cwd: string
  refs: GitVanApp['refs']
  /** With a remote, the branches followed are the remote's (fetched by `sync`), not this clone's. */
  branchesPrefix: string
  snapshots: SnapshotReader
  /** The worktree the daemon runs in. */
  self: RunPlace
  liveness: RunnerLiveness
  anchors: ReturnType<typeof createAnchors>
  /** Aborted once a stop's grace is over: the runs still going end. */
  shutdown: AbortController
  startedAt: string
  itemRunner: ItemRunner
  queue: RunQueue<Flight>
  jobs: LoadedJobs
  /** The runner lease and publisher claims are made under now. */
  session: Session | undefined
  stopping: boolean
  /** The last tick of a stop: it settles and writes the state, and dispatches nothing. */
  finalSettle: boolean
  /** Items running now, for `gitvan status`. */
  runningNow: Set<string>
  lines: Map<string, LineWork>
  /** Items known settled (a receipt says done or failed for good): not read again until their line moves on. */
  settled: Set<string>
  /** Items claimed and not yet published: planned by no tick until their receipt is in Git. */
  inFlight: Map<string, Flight>
  /** `--retry-failed`: items whose last receipt failed, to run once more in this process. */
  retryOnce: Set<string>
  /** `--retry-failed`: the failed items are still to be looked for (by the first tick). */
  retryPass: boolean
  /** Items other live runners hold, by holder, as of the last tick. */
  held: Map<string, string>
  /** Schedule slots handled, by job, to record in the state once their runs are published. */
  slotsDone: Map<string, string>
  /** Settled heads advanced in memory and not yet written to the state: plans start from them. */
  localHeads: Map<string, { from: string | null; to: string }>
  /** When the state was last written (epoch ms). */
  stateWritten: number
  /** Commits settled since the start, and the last progress report of them. */
  settledCommits: number
  lastProgress: { at: number; done: number }
  /** Claims whose work is published are released after a quiet second (see `runner-session.ts`). */
  releaseTimer: NodeJS.Timeout | undefined
  housekeeping: HousekeepingState
  /** Say `message` once per `key` in the daemon's life. */
  warnOnce: (key: string, message: string) => void
  /** Tick soon (ticks never overlap: one asked for during a tick runs after it). */
  requestTick: () => void
  /** Tick at `at` (epoch ms) again: a retry's backoff ends then. */
  scheduleRetryTick: (at: number) => void
}

export {type CommitInfo} from '../types/git'
