import { listWorktrees } from '../git/worktrees'
import type { GitVanApp, RunJobOptions } from '../types/app'

export type RunWorktree = NonNullable<RunJobOptions['worktree']>

/**
 * The worktree a run for a commit happens in when no daemon line decides it (`gitvan run --sha`, `gitvan rerun`):
 * the worktree that has the commit's `branch` checked out, as the daemon does for a branch's commits, else the one GitVan runs
 * in. This is the one place that chooses it: an isolated checkout of the commit, for jobs that ask for one, is
 * to be made here.
 */
export async function chooseRunWorktree(app: GitVanApp, branch: string | null): Promise<RunWorktree> {
  const self = { id: app.repo.worktreeId, root: app.repo.root, branch: app.repo.branch }
  if (!branch || branch === self.branch) return self
  const checkedOut = (await listWorktrees(app.repo.root)).find(worktree => worktree.branch === branch && !worktree.bare)
  return checkedOut ? { id: checkedOut.id, root: checkedOut.path, branch: checkedOut.branch } : { ...self, branch }
}
