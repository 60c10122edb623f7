import type { CommitInfo } from '../types/git'
import { groupsOf } from './jobs'
import type { RepoSnapshot } from './snapshot'
import type { DaemonState } from './state'
import type { DaemonJob, HistoryLine, RunPlace, WorkItem } from './types'
import { setOf } from '../utils/set-of'

/** Plans report problems (a group key function that throws) instead of failing the tick. */
export type PlanProblem = (message: string) => void

/** The (job, commit) items of `commits` on `line`, oldest commit first, for jobs whose `on.commit` matches. */
export function commitItems(jobs: readonly DaemonJob[], line: HistoryLine, commits: readonly CommitInfo[], onProblem: PlanProblem): WorkItem[] {
  const matching = jobs.filter(job => job.triggers.commit)
  const items: WorkItem[] = []
  for (const commit of commits) {
    for (const job of matching) {
      if (!job.triggers.commit!(commit, line.branch)) continue
      const item = {
        job,
        key: commit.sha,
        sha: commit.sha,
        noteOn: commit.sha,
        trigger: { type: 'commit' as const, sha: commit.sha, branch: line.branch },
        branch: line.branch,
        commitTime: commit.commitTime,
        place: line.place,
        line: line.name,
      }
      items.push({ ...item, groups: groupsOf(item, onProblem) })
    }
  }
  return items
}

/**
 * Items for tags that appeared since the state was written (none on a first start: existing tags are history).
 * Tags that point at something other than a commit are left out: `snapshot.tags` holds commits only.
 */
export function tagItems(jobs: readonly DaemonJob[], snapshot: RepoSnapshot, state: DaemonState, self: RunPlace, onProblem: PlanProblem): WorkItem[] {
  const known = setOf(state.tags)
  const items: WorkItem[] = []
  for (const [tag, sha] of snapshot.tags) {
    if (known.has(tag)) continue
    for (const job of jobs) {
      if (!job.triggers.tag?.(tag)) continue
      const item = { job, key: `tag:${tag}`, sha, noteOn: sha, trigger: { type: 'tag' as const, tag, sha }, branch: null, commitTime: snapshot.times.get(sha), place: self }
      items.push({ ...item, groups: groupsOf(item, onProblem) })
    }
  }
  return items
}

/** Items for branches that appeared since the state was written. */
export function branchItems(jobs: readonly DaemonJob[], lines: readonly HistoryLine[], state: DaemonState, times: ReadonlyMap<string, number>, onProblem: PlanProblem): WorkItem[] {
  const known = setOf(state.branches)
  const items: WorkItem[] = []
  for (const line of lines) {
    if (!line.branch || known.has(line.branch)) continue
    for (const job of jobs) {
      if (!job.triggers.branch?.(line.branch)) continue
      const item = { job, key: `branch:${line.branch}`, sha: line.tip, noteOn: line.tip, trigger: { type: 'branch' as const, branch: line.branch, sha: line.tip }, branch: line.branch, commitTime: times.get(line.tip), place: line.place }
      items.push({ ...item, groups: groupsOf(item, onProblem) })
    }
  }
  return items
}

const ids = new WeakMap<object, string>()

/** The id of an item: what runs exactly once, and what a claim names (remembered per item: asked for often). */
export function itemId(item: Pick<WorkItem, 'key'> & { job: { id: string } }): string {
  let id = ids.get(item)
  if (id === undefined) ids.set(item, id = `${item.job.id} ${item.key}`)
  return id
}
