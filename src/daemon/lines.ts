import { listCommits } from '../git/commits'
import { GitError } from '../git/error'
import type { RepoSnapshot } from './snapshot'
import type { HistoryLine, RunPlace } from './types'

/**
 * The lines of history the daemon follows. Every local branch is followed; a branch checked out in a worktree
 * runs there, so with `worktrees: 'current'` branches checked out in other worktrees are left to the daemons
 * serving those. Detached HEADs of served worktrees are followed as `HEAD@<id>`.
 */
export function historyLines(snapshot: RepoSnapshot, self: RunPlace, served: 'current' | 'all'): HistoryLine[] {
  const checkedOut = new Map(snapshot.worktrees.filter(w => w.branch && !w.bare).map(w => [w.branch!, w]))
  const isServed = (id: string) => served === 'all' || id === self.id
  const lines: HistoryLine[] = []
  for (const [branch, tip] of snapshot.branches) {
    const worktree = checkedOut.get(branch)
    if (worktree && !isServed(worktree.id)) continue
    const place = worktree ? { id: worktree.id, root: worktree.path, branch } : { ...self, branch }
    lines.push({ name: branch, branch, tip, place, checkedOut: worktree !== undefined })
  }
  for (const worktree of snapshot.worktrees) {
    if (!worktree.detached || !worktree.head || !isServed(worktree.id)) continue
    lines.push({ name: `HEAD@${worktree.id}`, branch: null, tip: worktree.head, place: { id: worktree.id, root: worktree.path, branch: null }, checkedOut: true })
  }
  return lines
}

export interface PendingOptions {
  /** The line's settled commit (`null`: never seen). */
  base: string | null
  /** Tips of the other lines the daemon knows: a new line brings only commits none of them has. */
  others: readonly string[] | null
  lookback: number
}

/**
 * The commits of a line still to process, oldest first, along first parents (a merge is one commit of the branch
 * it lands on; the merged branch's commits are its own branch's business):
 * - after the settled commit, when there is one; after a rewrite (rebase, reset, force push) that is the new
 *   commits since the fork point, and dropped ones are simply not there;
 * - for a line never seen while other lines are known (a new branch): its commits that no other line has, at most
 *   `lookback` of them. Creating `release/1.0` from main brings nothing until someone commits on it;
 * - on a first start (no line known), or when the settled commit is gone: its last `lookback` commits.
 */
export async function pendingCommits(cwd: string, line: HistoryLine, options: PendingOptions): Promise<string[]> {
  const { base, others, lookback } = options
  if (base === line.tip) return []
  if (base) {
    try {
      return await listCommits(cwd, { include: [line.tip], exclude: [base], firstParent: true })
    } catch (error) {
      if (!(error instanceof GitError)) throw error
    }
  }
  const exclude = !base && others ? others.filter(tip => tip !== line.tip) : []
  if (!base && others && others.includes(line.tip)) return []
  return listCommits(cwd, { include: [line.tip], exclude, firstParent: true, limit: lookback })
}
