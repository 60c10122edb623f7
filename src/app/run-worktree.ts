import type { GitVanApp, RunJobOptions } from '../types/app'
import type { Job } from '../types/job'

export type RunWorktree = NonNullable<RunJobOptions['worktree']>

/**
 * The worktree a run for a commit happens in when no daemon line decides it (`gitvan run --sha`, `gitvan rerun`):
 * the worktree that has the commit's `branch` checked out, as the daemon does for a branch's commits, else the one
 * GitVan runs in.
 */
export async function chooseRunWorktree(app: GitVanApp, branch: string | null): Promise<RunWorktree> {
  const self = { id: app.repo.worktreeId, root: app.repo.root, branch: app.repo.branch }
  if (!branch || branch === self.branch) return self
  // Loaded here, as `createCheckouts` below: a run on the current branch (most manual runs) needs neither.
  const { listWorktrees } = await import('../git/worktrees')
  const checkedOut = (await listWorktrees(app.repo.root)).find(worktree => worktree.branch === branch && !worktree.bare)
  return checkedOut ? { id: checkedOut.id, root: checkedOut.path, branch: checkedOut.branch } : { ...self, branch }
}

/**
 * Call `run` with the worktree a manual run of `job` for commit `sha` gets: the live one (`chooseRunWorktree`), or,
 * for a job with `checkout: 'isolated'`, a temporary detached checkout of exactly `sha`, removed afterwards.
 * A repository without commits has nothing to check out: the run is live.
 */
export async function inRunWorktree<T>(app: GitVanApp, job: Job, target: { sha: string | null; branch: string | null }, run: (worktree: RunWorktree) => Promise<T>): Promise<T> {
  const live = await chooseRunWorktree(app, target.branch)
  if (job.checkout !== 'isolated' || !target.sha) return run(live)
  const { createCheckouts } = await import('../jobs/checkouts')
  const checkouts = createCheckouts(app.repo)
  try {
    const checkout = await checkouts.acquire(target.sha)
    return await run({ ...live, root: checkout.root })
  } finally {
    await checkouts.close()
  }
}
