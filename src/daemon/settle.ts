import type { RepoSnapshot } from './snapshot'
import type { DaemonState } from './state'
import { emptyState, updateState } from './state'
import type { CommitInfo, HistoryLine, WorkItem } from './types'

export interface SettleInput {
  snapshot: RepoSnapshot
  /** The state the tick planned from. */
  base: DaemonState
  perLine: Map<HistoryLine, { commits: CommitInfo[]; items: WorkItem[] }>
  /** Whether an item is done, or failed for good. */
  settled: (item: WorkItem) => boolean
  tagWork: WorkItem[]
  branchWork: WorkItem[]
}

/**
 * Move each line's settled commit forward past the commits whose items are all done or failed for good, and
 * record the tags and branches whose work is settled. Nothing is written when nothing moved.
 */
export async function settle(cwd: string, { snapshot, base, perLine, settled, tagWork, branchWork }: SettleInput): Promise<void> {
  const heads = new Map<string, string>()
  for (const [line, { commits, items }] of perLine) {
    const blocked = new Set(items.filter(item => !settled(item)).map(item => item.sha))
    const firstBlocked = commits.findIndex(commit => blocked.has(commit.sha))
    const upTo = firstBlocked === -1 ? commits.length : firstBlocked
    if (upTo > 0) heads.set(line.name, commits[upTo - 1]!.sha)
  }
  const unsettledTags = new Set(tagWork.filter(item => !settled(item)).map(item => (item.trigger as { tag: string }).tag))
  const unsettledBranches = new Set(branchWork.filter(item => !settled(item)).map(item => item.branch!))
  const tags = [...snapshot.tags.keys()].filter(tag => !unsettledTags.has(tag))
  const branches = [...snapshot.branches.keys()].filter(branch => !unsettledBranches.has(branch))
  const unchanged = heads.size === 0 && sameSet(tags, base.tags) && sameSet(branches, base.branches) && Object.keys(base.heads).every(name => lineExists(snapshot, name))
  if (unchanged) return
  await updateState(cwd, (state) => {
    for (const [name, sha] of heads) {
      // Only from the commit we planned from: another daemon may have moved it meanwhile, and then its value stands.
      if (state.heads[name] === base.heads[name]) state.heads[name] = sha
    }
    for (const name of Object.keys(state.heads)) if (!lineExists(snapshot, name)) delete state.heads[name]
    state.tags = [...new Set([...state.tags.filter(tag => snapshot.tags.has(tag)), ...tags])].sort()
    state.branches = [...new Set([...state.branches.filter(branch => snapshot.branches.has(branch)), ...branches])].sort()
    return state
  })
}

/** A first start: tags and branches that exist are history, not news. */
export async function firstState(cwd: string, snapshot: RepoSnapshot): Promise<DaemonState> {
  return updateState(cwd, state => ({ ...state, tags: [...snapshot.tags.keys()].sort(), branches: [...snapshot.branches.keys()].sort() })).catch(() => emptyState())
}

function lineExists(snapshot: RepoSnapshot, name: string): boolean {
  if (!name.startsWith('HEAD@')) return snapshot.branches.has(name)
  return snapshot.worktrees.some(worktree => `HEAD@${worktree.id}` === name && worktree.detached)
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every(item => b.includes(item))
}
