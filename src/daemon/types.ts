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

/** One (job, key) the daemon may run; key is the commit sha, `tag:<name>`, `branch:<name>` or `schedule:<slot>`. */
export interface WorkItem {
  job: DaemonJob
  key: string
  /** Commit the receipt goes on. */
  sha: string
  trigger: JobTrigger
  branch: string | null
  /** Seconds: the run's `now()` (the commit's time; a schedule slot's time). */
  commitTime?: number
  place: RunPlace
  /** The line of history (branch or `HEAD@<worktree>`) whose progress this item holds back. */
  line?: string
}

/** A line of history the daemon follows: a branch, or the detached HEAD of a served worktree. */
export interface HistoryLine {
  name: string
  branch: string | null
  tip: string
  place: RunPlace
}

export {type CommitInfo} from '../types/git'
