import type { GitVanApp } from '../types/app'
import { hostName } from '../utils/host'
import type { RunTarget } from '../types/job'
import { errorLine } from '../utils/messages'
import { compileTriggers } from './triggers'
import type { DaemonJob, GroupNeed, WorkItem } from './types'

export interface LoadedJobs {
  jobs: DaemonJob[]
  /** Job files that could not be loaded: `file:line:col: message`, by job id. */
  broken: Map<string, string>
}

/** Load every job once. A broken file is reported and left out; the other jobs go on. */
export async function loadDaemonJobs(app: GitVanApp): Promise<LoadedJobs> {
  const jobs: DaemonJob[] = []
  const broken = new Map<string, string>()
  for (const file of await app.scanJobs()) {
    try {
      const job = await app.loadJob(file.id)
      jobs.push({ id: file.id, job, triggers: compileTriggers(job.on) })
    } catch (error) {
      broken.set(file.id, (error as Error).message)
    }
  }
  return { jobs, broken }
}

/**
 * The groups a run needs a place in. Runs of one job in one live worktree never overlap (they would write over each
 * other's files); a declared `concurrency` group adds its own limit. A group key function that throws makes the
 * run ungrouped by it, and says why through `onProblem`.
 */
export function groupsOf(item: Omit<WorkItem, 'groups'>, onProblem: (message: string) => void): GroupNeed[] {
  const { job } = item.job
  // The worktree is named by host and path: runners on other machines have worktrees of their own.
  const groups: GroupNeed[] = job.checkout === 'isolated' ? [] : [{ name: `job:${item.job.id}@${hostName()}:${item.place.root}`, max: 1 }]
  const policy = typeof job.concurrency === 'string' ? { group: job.concurrency } : job.concurrency
  if (!policy) return groups
  const target: RunTarget = { job: item.job.id, trigger: item.trigger, sha: item.sha, branch: item.branch, worktree: item.place.id }
  try {
    const key = typeof policy.group === 'function' ? policy.group(target) : policy.group
    if (typeof key !== 'string' || key === '') throw new TypeError(`it returned ${JSON.stringify(key)}, not a non-empty string`)
    groups.push({ name: `group:${key}`, max: policy.max ?? 1, cancelInProgress: policy.cancelInProgress })
  } catch (error) {
    onProblem(`concurrency.group of job ${item.job.id} failed for ${item.key.slice(0, 40)}: ${errorLine(error)}; the run goes on without that group`)
  }
  return groups
}
