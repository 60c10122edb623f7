import type { RefOp, RefStore, RefTxOp, RemoteUpdate } from '../types/git'
import { casEach } from './cas'
import { gitLayerError } from './error'
import { ZERO_OID } from './oid'
import { refTransaction } from './refs'
import type { RemoteCallOptions } from './remote'
import { RemoteUnreachableError, fetchRefs, pushRefs } from './remote'

const stores = new Map<string, RefStore>()

/** The store for `target`: itself, or for a repository path the local store of that repository. */
export function refStoreOf(target: string | RefStore): RefStore {
  if (typeof target !== 'string') return target
  let store = stores.get(target)
  if (!store) stores.set(target, (store = createLocalRefStore(target)))
  return store
}

/** Refs decided in the repository itself: `update-ref` transactions, nothing to sync. */
export function createLocalRefStore(cwd: string): RefStore {
  return {
    cwd,
    remote: null,
    verifies: true,
    sync: async () => {},
    transaction: ops => refTransaction(cwd, ops),
    casEach: (ops, contention, options) => casEach(cwd, ops, contention, options),
    unreachableSince: () => null,
    reconnectedAt: () => 0,
    onReachability: () => () => {},
  }
}

/**
 * Refs decided on `remote`: every change is a `git push --force-with-lease` (several at once `--atomic`), and what
 * was pushed is mirrored into the local repository, so readers read local refs; `sync` fetches. Fetches and mirror
 * writes of one process go one at a time (two fetches would fight over ref locks); pushes do not wait for them.
 * Whether the remote answers is tracked for `unreachableSince` and `onReachability`.
 */
export function createRemoteRefStore(cwd: string, remote: string, options: RemoteCallOptions = {}): RefStore {
  let local = Promise.resolve()
  let downSince: number | null = null
  let reconnected = 0
  const listeners = new Set<(reachable: boolean) => void>()

  /** One change of the local mirror (a fetch, a mirror write) after those before it. */
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = local.then(work)
    local = next.then(() => {}, () => {})
    return next
  }
  /** Run a network call, noting whether the remote answered. */
  const reach = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call()
      if (downSince !== null) {
        downSince = null
        reconnected = Date.now()
        for (const listener of listeners) listener(true)
      }
      return result
    } catch (error) {
      if (error instanceof RemoteUnreachableError && downSince === null) {
        downSince = Date.now()
        for (const listener of listeners) listener(false)
      }
      throw error
    }
  }
  /** Write what the remote now holds into the local refs; a failure here is repaired by the next sync. */
  const mirror = (ops: RefOp[]) => exclusive(() => refTransaction(cwd, ops.map(op => ({ ref: op.ref, newValue: op.newValue ?? null })))).catch(() => false)
  const push = async (ops: RefTxOp[], atomic: boolean): Promise<boolean[]> => {
    const updates = ops.map(op => toUpdate(cwd, op))
    const landed = await reach(() => pushRefs(cwd, remote, updates, { ...options, atomic }))
    const won = ops.filter((_, i) => landed[i]) as RefOp[]
    if (won.length > 0) await mirror(won)
    return landed
  }

  return {
    cwd,
    remote,
    verifies: false,
    sync: (refs, sync) => exclusive(() => reach(() => fetchRefs(cwd, remote, refs.map(refspecOf), { ...options, prune: true, tags: sync?.tags }))),
    transaction: async ops => ops.length === 0 || (await push(ops, true)).every(Boolean),
    casEach: ops => push(ops, false),
    unreachableSince: () => downSince,
    reconnectedAt: () => reconnected,
    onReachability(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/**
 * A prefix (`refs/gitvan/locks/`) fetches everything under it, a name itself (a glob either way, so absence is
 * fine); a refspec is taken as it is.
 */
function refspecOf(ref: string): string {
  return ref.includes(':') ? ref : `+${ref}*:${ref}*`
}

function toUpdate(cwd: string, op: RefTxOp): RemoteUpdate {
  if ('verify' in op) {
    throw gitLayerError(cwd, `Cannot verify ${op.ref} on a remote without moving it: fence with an update of the ref (a lease renewal) in the same transaction`)
  }
  const expected = op.oldValue === undefined ? undefined : op.oldValue === ZERO_OID ? null : op.oldValue
  return { ref: op.ref, value: op.newValue ?? null, expected }
}
