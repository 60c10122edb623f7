import { withCatFile } from '../git/cat-file'
import { isDeepStrictEqual } from 'node:util'
import { writeBlobs } from '../git/file-commit'
import { swapRefs } from '../git/cas'
import { refStoreOf } from '../git/ref-store'
import { readRef } from '../git/refs'
import type { RefStore } from '../types/git'

/**
 * What the daemons of a repository have processed, kept in Git so a restart resumes where it stopped. Two refs, each
 * pointing at a JSON blob (one object per change, where a commit would cost three): `refs/gitvan/state` holds the
 * settled heads and schedule marks, which move with every settled commit; `refs/gitvan/seen` the tags and branches
 * seen, thousands in a large repository, which change only when refs come and go. GitVan before 2.2 kept all of it
 * in a root commit's `state.json` at `refs/gitvan/state`: still read.
 */
export interface DaemonState {
  v: 1
  /** Per branch (or `HEAD@<worktree>` for a detached worktree): the newest commit whose work is settled. */
  heads: Record<string, string>
  /** Tags and branches already seen: only new ones fire `on.tag` / `on.branch`. */
  tags: string[]
  branches: string[]
  /** Per scheduled job: the last slot run (ISO time). */
  schedules: Record<string, string>
}

export const STATE_REF = 'refs/gitvan/state'
export const SEEN_REF = 'refs/gitvan/seen'
/** Where GitVan before 2.2 kept the whole state, in the commit `STATE_REF` pointed at. */
const LEGACY_FILE = 'state.json'

export interface StateSnapshot {
  state: DaemonState | null
}

/** The state as the local repository has it (over a remote: as last synced). */
export async function readState(repo: string | RefStore): Promise<StateSnapshot> {
  const { cwd } = refStoreOf(repo)
  const [id, seenId] = await Promise.all([readRef(cwd, STATE_REF), readRef(cwd, SEEN_REF)])
  return { state: await readStateAt(cwd, id, seenId) }
}

/**
 * The state last read, by repository and objects: objects never change, and a daemon reads the state on every tick
 * (thousands of branches and tags make it large). Readers do not change what they get; `updateState` copies it.
 */
let lastRead: { key: string; state: DaemonState | null } | undefined

/** The state in objects `id` and `seenId`; `null` when there is none or it cannot be read. */
async function readStateAt(cwd: string, id: string | null, seenId: string | null): Promise<DaemonState | null> {
  if (!id) return null
  const key = `${cwd}\0${id}\0${seenId}`
  if (lastRead?.key !== key) {
    const [main, seen] = await withCatFile(cwd, async (cat) => {
      const object = await cat.read(id)
      const text = object?.type === 'commit' ? await cat.readText(`${id}:${LEGACY_FILE}`) : object?.content.toString('utf8') ?? null
      return [parse(text), seenId ? parse(await cat.readText(seenId)) : null]
    })
    lastRead = { key, state: toState(main, seen) }
  }
  return lastRead.state
}

function parse(text: string | null): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text ?? '') as unknown
    return value && typeof value === 'object' ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

/** A state that cannot be read is started over: receipts, not the state, say what is done. */
function toState(main: Record<string, unknown> | null, seen: Record<string, unknown> | null): DaemonState | null {
  if (main?.v !== 1 || typeof main.heads !== 'object' || !main.heads) return null
  const lists = seen ?? main
  const strings = (value: unknown) => Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
  return {
    v: 1,
    heads: main.heads as Record<string, string>,
    tags: strings(lists.tags),
    branches: strings(lists.branches),
    schedules: (main.schedules && typeof main.schedules === 'object' ? main.schedules : {}) as Record<string, string>,
  }
}

/**
 * Change the state with `update` and publish it by compare-and-swap, re-reading and re-applying when another
 * daemon moved it first. `update` receives a copy and must be a pure function of it; only the part it changed is
 * written (settling a commit writes the small heads blob, not the list of every tag), and nothing when it changed
 * nothing. Over a remote the state is shared by every machine, like the receipts it summarizes.
 */
export async function updateState(repo: string | RefStore, update: (state: DaemonState) => DaemonState): Promise<DaemonState> {
  const { cwd } = refStoreOf(repo)
  let next = emptyState()
  await swapRefs(repo, [STATE_REF, SEEN_REF], async ([id, seenId]) => {
    const current = await readStateAt(cwd, id ?? null, seenId ?? null)
    next = update(structuredClone(current ?? emptyState()))
    const same = (keys: (keyof DaemonState)[]) => current !== null && keys.every(key => isDeepStrictEqual(next[key], current[key]))
    // A state an older GitVan wrote (a commit) is rewritten whole on its first change.
    const legacy = id !== null && seenId === null
    const writeMain = !id || legacy || !same(['heads', 'schedules'])
    const writeSeen = !seenId || !same(['tags', 'branches'])
    if (!writeMain && !writeSeen) return [id!, seenId!]
    const texts = [
      ...(writeMain ? [`${JSON.stringify({ v: 1, heads: next.heads, schedules: next.schedules }, null, 2)}\n`] : []),
      ...(writeSeen ? [`${JSON.stringify({ v: 1, tags: next.tags, branches: next.branches }, null, 2)}\n`] : []),
    ]
    const blobs = await writeBlobs(cwd, texts)
    return [writeMain ? blobs[0]! : id!, writeSeen ? blobs.at(-1)! : seenId!]
  }, { what: 'the daemon state' })
  return next
}

export function emptyState(): DaemonState {
  return { v: 1, heads: {}, tags: [], branches: [], schedules: {} }
}
