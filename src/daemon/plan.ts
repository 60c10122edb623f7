import { scanCommits } from '../git/commits'
import { GitError } from '../git/error'
import type { CommitInfo } from '../types/git'
import type { RepoSnapshot } from './snapshot'
import type { DaemonState } from './state'
import type { DaemonJob, HistoryLine, RunPlace, WorkItem } from './types'

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
    lines.push({ name: branch, branch, tip, place })
  }
  for (const worktree of snapshot.worktrees) {
    if (!worktree.detached || !worktree.head || !isServed(worktree.id)) continue
    lines.push({ name: `HEAD@${worktree.id}`, branch: null, tip: worktree.head, place: { id: worktree.id, root: worktree.path, branch: null } })
  }
  return lines
}

/**
 * New commits of a line, oldest first: those since the settled commit in the state, along first parents (a merge
 * is one commit of the branch it lands on; the merged branch's own commits are its branch's business). A line
 * never seen, or whose settled commit is gone, starts from its last `lookback` commits. Rewritten history
 * (rebase, reset, force push) yields the new commits since the fork point; dropped ones are simply not there.
 */
export async function newCommits(cwd: string, line: HistoryLine, state: DaemonState, lookback: number): Promise<CommitInfo[]> {
  const base = state.heads[line.name]
  if (base === line.tip) return []
  if (base) {
    try {
      return await scanCommits(cwd, [line.tip, `^${base}`], { firstParent: true, reverse: true })
    } catch (error) {
      if (!(error instanceof GitError)) throw error
    }
  }
  return (await scanCommits(cwd, line.tip, { firstParent: true, limit: lookback })).reverse()
}

/** The (job, commit) items of `commits` on `line`, oldest commit first, for jobs whose `on.commit` matches. */
export function commitItems(jobs: readonly DaemonJob[], line: HistoryLine, commits: readonly CommitInfo[]): WorkItem[] {
  const matching = jobs.filter(job => job.triggers.commit)
  const items: WorkItem[] = []
  for (const commit of commits) {
    for (const job of matching) {
      if (!job.triggers.commit!(commit, line.branch)) continue
      items.push({
        job,
        key: commit.sha,
        sha: commit.sha,
        trigger: { type: 'commit', sha: commit.sha, branch: line.branch },
        branch: line.branch,
        commitTime: commit.commitTime,
        place: line.place,
        line: line.name,
      })
    }
  }
  return items
}

/** Items for tags that appeared since the state was written (none on a first start: existing tags are history). */
export function tagItems(jobs: readonly DaemonJob[], snapshot: RepoSnapshot, state: DaemonState, self: RunPlace): WorkItem[] {
  const known = new Set(state.tags)
  const items: WorkItem[] = []
  for (const [tag, sha] of snapshot.tags) {
    if (known.has(tag)) continue
    for (const job of jobs) {
      if (job.triggers.tag?.(tag)) items.push({ job, key: `tag:${tag}`, sha, trigger: { type: 'tag', tag, sha }, branch: null, commitTime: snapshot.times.get(sha), place: self })
    }
  }
  return items
}

/** Items for branches that appeared since the state was written. */
export function branchItems(jobs: readonly DaemonJob[], lines: readonly HistoryLine[], state: DaemonState, times: ReadonlyMap<string, number>): WorkItem[] {
  const known = new Set(state.branches)
  const items: WorkItem[] = []
  for (const line of lines) {
    if (!line.branch || known.has(line.branch)) continue
    for (const job of jobs) {
      if (job.triggers.branch?.(line.branch)) {
        items.push({ job, key: `branch:${line.branch}`, sha: line.tip, trigger: { type: 'branch', branch: line.branch, sha: line.tip }, branch: line.branch, commitTime: times.get(line.tip), place: line.place })
      }
    }
  }
  return items
}
