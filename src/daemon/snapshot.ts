import { readdir, stat } from 'node:fs/promises'
import { join } from 'pathe'
import { withCatFile } from '../git/cat-file'
import { git } from '../git/command'
import { listWorktrees } from '../git/worktrees'
import type { WorktreeEntry } from '../types/git'

/** The refs the daemon reacts to. */
export interface RepoSnapshot {
  /** Branch short name -> tip commit. */
  branches: Map<string, string>
  /** Tag name -> the commit it points to (peeled). Tags of blobs or trees are in `otherTags`, not here. */
  tags: Map<string, string>
  /** Tags that point at something other than a commit (a blob, a tree): name -> object type. */
  otherTags: Map<string, string>
  /** Commit time (seconds) of the branch tips and tagged commits asked for: the `now()` of runs those trigger. */
  times: Map<string, number>
  worktrees: WorktreeEntry[]
  /** Stable text of the above: equal keys mean nothing changed. */
  key: string
}

export interface SnapshotReader {
  /** The refs now; commit times only for the tags and branches `known` does not list (those may fire jobs). */
  read: (known?: { tags: readonly string[]; branches: readonly string[] }) => Promise<RepoSnapshot>
}

/**
 * Reads the refs the daemon follows, cheaply enough to do on every tick: one `for-each-ref` of names and ids only
 * (no commit is parsed, which is what makes thousands of refs costly), what a tag points at and a commit's time
 * through the shared `cat-file` (remembered by object id: objects never change), and the worktree list only when
 * `<common dir>/worktrees` or a worktree's HEAD changed.
 */
export function createSnapshotReader(cwd: string, commonDir: string, branches = 'refs/heads/'): SnapshotReader {
  const peeled = new Map<string, { type: string; target: string }>()
  const times = new Map<string, number>()
  let worktrees: { print: string; list: WorktreeEntry[] } | undefined

  async function readWorktrees(): Promise<WorktreeEntry[]> {
    const print = await worktreesPrint(commonDir)
    if (worktrees?.print !== print) worktrees = { print, list: await listWorktrees(cwd) }
    return worktrees.list
  }

  async function peel(sha: string): Promise<{ type: string; target: string }> {
    const known = peeled.get(sha)
    if (known) return known
    const found = await withCatFile(cwd, async (cat) => {
      let target = sha
      for (let depth = 0; depth < 16; depth++) {
        const info = await cat.info(target)
        if (info?.type !== 'tag') return { type: info?.type ?? 'missing object', target }
        // An annotated tag: the object it points at is named on its first line.
        const text = await cat.readText(target)
        target = /^object ([0-9a-f]+)$/m.exec(text ?? '')?.[1] ?? target
      }
      return { type: 'tag', target }
    })
    peeled.set(sha, found)
    return found
  }

  async function commitTime(sha: string): Promise<number | undefined> {
    if (times.has(sha)) return times.get(sha)
    const text = await withCatFile(cwd, cat => cat.readText(sha))
    const time = Number(/^committer .* (\d+) [+-]\d{4}$/m.exec(text ?? '')?.[1])
    if (!Number.isFinite(time)) return undefined
    times.set(sha, time)
    return time
  }

  return {
    async read(known) {
      const [listing, worktreeList] = await Promise.all([
        git(['for-each-ref', '--format=%(objectname) %(refname)', branches, 'refs/tags/'], { cwd }),
        readWorktrees(),
      ])
      const heads = new Map<string, string>()
      const tags = new Map<string, string>()
      const otherTags = new Map<string, string>()
      const tagShas = new Map<string, string>()
      for (const line of listing.split('\n')) {
        if (!line) continue
        const space = line.indexOf(' ')
        const [sha, ref] = [line.slice(0, space), line.slice(space + 1)]
        // A clone's `refs/remotes/origin/HEAD` names the default branch: not a branch of its own.
        if (ref.startsWith(branches)) {
          if (ref !== `${branches}HEAD`) heads.set(ref.slice(branches.length), sha)
        } else {
          tagShas.set(ref.slice('refs/tags/'.length), sha)
        }
      }
      // Most tags were peeled on an earlier tick: only the new ones wait for `cat-file`.
      await Promise.all([...new Set(tagShas.values())].filter(sha => !peeled.has(sha)).map(peel))
      for (const [name, sha] of tagShas) {
        const { type, target } = peeled.get(sha)!
        if (type === 'commit') tags.set(name, target)
        else otherTags.set(name, type)
      }
      const knownTags = new Set(known?.tags)
      const knownBranches = new Set(known?.branches)
      const wanted = [
        ...[...tags].filter(([name]) => !knownTags.has(name)).map(([, sha]) => sha),
        ...[...heads].filter(([name]) => !knownBranches.has(name)).map(([, sha]) => sha),
      ]
      const snapshotTimes = new Map<string, number>()
      await Promise.all(wanted.map(async (sha) => {
        const time = await commitTime(sha)
        if (time !== undefined) snapshotTimes.set(sha, time)
      }))
      const key = `${listing}\n${worktreeList.map(w => `${w.id} ${w.head} ${w.branch}`).join('\n')}`
      return { branches: heads, tags, otherTags, times: snapshotTimes, worktrees: worktreeList, key }
    },
  }
}

/** One reading of the refs (`gitvan status` and other one-off readers). */
export function readSnapshot(cwd: string, commonDir: string, branches?: string): Promise<RepoSnapshot> {
  return createSnapshotReader(cwd, commonDir, branches).read()
}

/**
 * What changes when a worktree is added, removed, or switches commit or branch: the modification times of
 * `<common dir>/HEAD`, `<common dir>/worktrees/` and each linked worktree's HEAD (git writes those by rename).
 */
async function worktreesPrint(commonDir: string): Promise<string> {
  const mtime = async (path: string) => (await stat(path).catch(() => undefined))?.mtimeMs ?? 0
  const admin = join(commonDir, 'worktrees')
  const ids = await readdir(admin).catch(() => [] as string[])
  const times = await Promise.all([join(commonDir, 'HEAD'), admin, ...ids.flatMap(id => [join(admin, id, 'HEAD'), join(admin, id, 'gitdir')])].map(mtime))
  return `${ids.join(',')}|${times.join(',')}`
}
