import { git } from '../git/command'
import { listWorktrees } from '../git/worktrees'
import type { WorktreeEntry } from '../types/git'

/** The refs the daemon reacts to, read in two git processes. */
export interface RepoSnapshot {
  /** Branch short name -> tip commit. */
  branches: Map<string, string>
  /** Tag name -> the commit it points to (peeled). Tags of blobs or trees are in `otherTags`, not here. */
  tags: Map<string, string>
  /** Tags that point at something other than a commit (a blob, a tree): name -> object type. */
  otherTags: Map<string, string>
  /** Commit time (seconds) of every branch tip and tagged commit: the `now()` of runs those trigger. */
  times: Map<string, number>
  worktrees: WorktreeEntry[]
  /** Stable text of the above: equal keys mean nothing changed. */
  key: string
}

const FORMAT = '%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00%(committerdate:unix)%00%(*committerdate:unix)'

/**
 * The branches under `branches` (default `refs/heads/`; a daemon with a remote follows the remote's, fetched into
 * `refs/remotes/<remote>/`), the tags and the worktrees.
 */
export async function readSnapshot(cwd: string, branches = 'refs/heads/'): Promise<RepoSnapshot> {
  const [refs, worktrees] = await Promise.all([
    git(['for-each-ref', `--format=${FORMAT}`, branches, 'refs/tags'], { cwd }),
    listWorktrees(cwd),
  ])
  const heads = new Map<string, string>()
  const tags = new Map<string, string>()
  const otherTags = new Map<string, string>()
  const times = new Map<string, number>()
  for (const line of refs.split('\n')) {
    if (!line) continue
    const [ref, sha, type, peeled, peeledType, time, peeledTime] = line.split('\0') as [string, string, string, string, string, string, string]
    if (ref.startsWith(branches)) {
      // A clone's `refs/remotes/origin/HEAD` names the default branch: not a branch of its own.
      if (ref !== `${branches}HEAD`) heads.set(ref.slice(branches.length), sha)
    } else {
      const name = ref.slice('refs/tags/'.length)
      const target = peeledType || type
      if (target !== 'commit') {
        otherTags.set(name, target)
        continue
      }
      tags.set(name, peeled || sha)
    }
    if (peeledTime || time) times.set(peeled || sha, Number(peeledTime || time))
  }
  const key = `${refs}\n${worktrees.map(w => `${w.id} ${w.head} ${w.branch}`).join('\n')}`
  return { branches: heads, tags, otherTags, times, worktrees, key }
}
