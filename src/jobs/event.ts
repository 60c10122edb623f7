import { createGitVanContext } from '../context/create-context'
import type { GitVanApp, RunJobOptions } from '../types/app'
import type { Job, JobEvent } from '../types/job'

/** The event of one run of `job`: its own GitVan context (commit, branch, clock, worktree, env) and its trigger. */
export function createJobEvent(app: GitVanApp, id: string, job: Job, options: RunJobOptions, signal: AbortSignal): JobEvent {
  const ctx = createGitVanContext({
    app,
    signal,
    jobChain: [...(options.jobChain ?? []), id],
    head: options.head,
    branch: options.branch,
    commitTime: options.commitTime,
    now: options.now,
    worktree: options.worktree,
    env: { ...job.env, GITVAN_JOB: id },
  })
  return { id, payload: options.payload, trigger: options.trigger ?? { type: 'manual' }, ctx }
}
