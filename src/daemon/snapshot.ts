import { readdir, stat } from 'node:fs/promises'
import { join } from 'pathe'
import { withCatFile } from '../git/cat-file'
import { git } from '../git/command'
import { readRef } from '../git/refs'
import { listWorktrees } from '../git/worktrees'
import type { WorktreeEntry } from '../types/git'
import { setOf } from '../utils/set-of'

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
}

export interface SnapshotReader {
  /**
   * The refs; commit times only for the tags and branches `known` does not list (those may fire jobs). Listed
   * again on the first read and after `changed()`; in between, the last listing is reused.
   */
  read: (known?: { tags: readonly string[]; branches: readonly string[] }) => Promise<RepoSnapshot>
  /**
   * The refs may have moved: `refs` (full names) when only those may have (a file watcher saw their files change),
   * else any (`packed-refs`, a HEAD, a poll, a fetch). The next `read` reads those refs again, or lists them all.
   * The daemon's own ticks (after a publish, a retry timer) reuse the last reading: listing 10,000 refs and building
   * their maps is most of a tick in a large repository, and only a change on disk moves them.
   */
  changed: (refs?: string[]) => void
}

/**
 * Reads the refs the daemon follows, cheaply enough to do on every tick: one `for-each-ref` of names and ids only
 * (no commit is parsed, which is what makes thousands of refs costly), what a tag points at and a commit's time
 * through the shared `cat-file` (remembered by object id: objects never change), and the worktree list only when
 * `<common dir>/worktrees` or a worktree's HEAD changed. Only when told the refs may have `changed()`.
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

  /** The refs as last read, with each tag's own object id (what a changed tag is compared by). */
  type Listing = Omit<RepoSnapshot, 'times'> & { tagIds: Map<string, string> }
  let last: Listing | undefined
  /** What moved since: names to read again, or `'all'`. */
  let moved: Set<string> | 'all' = 'all'

  async function list(): Promise<Listing> {
    const [listing, worktreeList] = await Promise.all([
      git(['for-each-ref', '--format=%(objectname) %(refname)', branches, 'refs/tags/'], { cwd }),
      readWorktrees(),
    ])
    const heads = new Map<string, string>()
    const tagIds = new Map<string, string>()
    for (const line of listing.split('\n')) {
      if (!line) continue
      const space = line.indexOf(' ')
      const [sha, ref] = [line.slice(0, space), line.slice(space + 1)]
      // A clone's `refs/remotes/origin/HEAD` names the default branch: not a branch of its own.
      if (ref.startsWith(branches)) {
        if (ref !== `${branches}HEAD`) heads.set(ref.slice(branches.length), sha)
      } else {
        tagIds.set(ref.slice('refs/tags/'.length), sha)
      }
    }
    return withTags({ branches: heads, tags: new Map(), otherTags: new Map(), worktrees: worktreeList, tagIds }, [...tagIds.keys()])
  }

  /** `listing` with `names` of its tags peeled into `tags` or `otherTags` (most were peeled on an earlier tick). */
  async function withTags(listing: Listing, names: string[]): Promise<Listing> {
    await Promise.all([...new Set(names.flatMap(name => listing.tagIds.get(name) ?? []))].filter(sha => !peeled.has(sha)).map(peel))
    for (const name of names) {
      listing.tags.delete(name)
      listing.otherTags.delete(name)
      const sha = listing.tagIds.get(name)
      if (!sha) continue
      const { type, target } = peeled.get(sha)!
      if (type === 'commit') listing.tags.set(name, target)
      else listing.otherTags.set(name, type)
    }
    return listing
  }

  /**
   * The last listing with `refs` read again through the shared `cat-file` (no process): a commit moves one branch,
   * and a watcher says which. Refs outside the followed branches and tags, or that do not read, mean a listing.
   */
  async function patch(from: Listing, refs: string[]): Promise<Listing> {
    const branchNames = refs.filter(ref => ref.startsWith(branches)).map(ref => ref.slice(branches.length))
    const tagNames = refs.filter(ref => ref.startsWith('refs/tags/')).map(ref => ref.slice('refs/tags/'.length))
    if (branchNames.length + tagNames.length < refs.length || branchNames.includes('HEAD')) return list()
    let values: Map<string, string | null>
    try {
      values = new Map(await Promise.all(refs.map(async ref => [ref, await readRef(cwd, ref)] as const)))
    } catch {
      return list()
    }
    // The maps a commit does not touch (the tags, on most ticks) are kept, not copied.
    const moved = (map: Map<string, string>, names: string[], prefix: string) => {
      if (names.length === 0) return map
      const next = new Map(map)
      for (const name of names) {
        const value = values.get(prefix + name)
        if (value) next.set(name, value)
        else next.delete(name)
      }
      return next
    }
    const next: Listing = { ...from, branches: moved(from.branches, branchNames, branches), tagIds: moved(from.tagIds, tagNames, 'refs/tags/'), worktrees: await readWorktrees() }
    if (tagNames.length === 0) return next
    return withTags({ ...next, tags: new Map(from.tags), otherTags: new Map(from.otherTags) }, tagNames)
  }

  return {
    async read(known) {
      // Cleared before reading: a change reported meanwhile is read by the next one.
      const refs = moved
      moved = new Set()
      let listing: Listing
      try {
        listing = last = !last || refs === 'all' ? await list() : refs.size > 0 ? await patch(last, [...refs]) : last
      } catch (error) {
        moved = 'all'
        throw error
      }
      const knownTags = setOf(known?.tags ?? [])
      const knownBranches = setOf(known?.branches ?? [])
      const wanted: string[] = []
      for (const [name, sha] of listing.tags) if (!knownTags.has(name)) wanted.push(sha)
      for (const [name, sha] of listing.branches) if (!knownBranches.has(name)) wanted.push(sha)
      const snapshotTimes = new Map<string, number>()
      await Promise.all(wanted.map(async (sha) => {
        const time = await commitTime(sha)
        if (time !== undefined) snapshotTimes.set(sha, time)
      }))
      return { branches: listing.branches, tags: listing.tags, otherTags: listing.otherTags, worktrees: listing.worktrees, times: snapshotTimes }
    },
    changed(refs) {
      if (!refs) moved = 'all'
      else if (moved !== 'all') for (const ref of refs) moved.add(ref)
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
