import type { Job, JobTrigger } from '../types/job'
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

export {type CommitInfo} from '../types/git'
