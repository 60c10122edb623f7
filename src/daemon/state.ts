import { withCatFile } from '../git/cat-file'
import { isDeepStrictEqual } from 'node:util'
import { writeBlobs } from '../git/file-commit'
import { swapRef } from '../git/cas'
import { refStoreOf } from '../git/ref-store'
import { readRef } from '../git/refs'
import type { RefStore } from '../types/git'

/**
 * What the daemons of a repository have processed, kept in Git so a restart resumes where it stopped:
 * `refs/gitvan/state` points at a blob holding this as JSON (one object per change, where a commit would cost
 * three; GitVan before 2.2 wrote a root commit with `state.json`, still read).
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
const FILE = 'state.json'

export interface StateSnapshot {
  /** What the state ref pointed at (compare-and-swap from it), `null` when there is no state yet. */
  id: string | null
  state: DaemonState | null
}

/** The state as the local repository has it (over a remote: as last synced). */
export async function readState(repo: string | RefStore): Promise<StateSnapshot> {
  const { cwd } = refStoreOf(repo)
  const id = await readRef(cwd, STATE_REF)
  return { id, state: await readStateAt(cwd, id) }
}

/**
 * The state last read, by repository and commit: a commit never changes, and a daemon reads the state on every tick
 * (thousands of branches and tags make it large). Readers do not change what they get; `updateState` copies it.
 */
let lastRead: { key: string; state: DaemonState | null } | undefined

/** The state in object `id` (a blob, or an older GitVan's commit); `null` when there is none or it cannot be read. */
async function readStateAt(cwd: string, id: string | null): Promise<DaemonState | null> {
  if (!id) return null
  const key = `${cwd}\0${id}`
  if (lastRead?.key !== key) {
    const text = await withCatFile(cwd, async (cat) => {
      const object = await cat.read(id)
      return object?.type === 'commit' ? cat.readText(`${id}:${FILE}`) : object?.content.toString('utf8') ?? null
    })
    lastRead = { key, state: parseState(text) }
  }
  return lastRead.state
}

function parseState(text: string | null): DaemonState | null {
  try {
    const state = JSON.parse(text ?? '') as DaemonState
    if (state?.v === 1 && typeof state.heads === 'object') return state
  } catch {
    // Not JSON: handled like any other unreadable state below.
  }
  // A state that cannot be read is started over: receipts, not the state, say what is done.
  return null
}

/**
 * Change the state with `update` and publish it by compare-and-swap, re-reading and re-applying when another
 * daemon moved it first. `update` receives a copy and must be a pure function of it; when it changes nothing,
 * nothing is written. Over a remote the state is shared by every machine, like the receipts it summarizes.
 */
export async function updateState(repo: string | RefStore, update: (state: DaemonState) => DaemonState): Promise<DaemonState> {
  const { cwd } = refStoreOf(repo)
  let next = emptyState()
  await swapRef(repo, STATE_REF, async (id) => {
    const current = await readStateAt(cwd, id)
    next = update(structuredClone(current ?? emptyState()))
    if (id && isDeepStrictEqual(next, current)) return id
    const [blob] = await writeBlobs(cwd, [`${JSON.stringify(next, null, 2)}\n`])
    return blob!
  }, { what: 'the daemon state' })
  return next
}

export function emptyState(): DaemonState {
  return { v: 1, heads: {}, tags: [], branches: [], schedules: {} }
}
