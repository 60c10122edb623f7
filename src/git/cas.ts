import { setTimeout as sleep } from 'node:timers/promises'
import type { RefOp, RefStore } from '../types/git'
import { backoff } from '../utils/backoff'
import { runRefUpdate, updateRefArgs } from './update-ref'
import { GitError, gitLayerError } from './error'
import { BUSY, LOCKED, LOST_RACE } from './ref-errors'
import { listRefs, readRef } from './refs'
import { refStoreOf } from './ref-store'

/**
 * What to do when another git process holds a ref's lock file: `lose` (we are trying to take the ref, and someone
 * else is at it right now) or `wait` (the ref is ours to change: retry until their lock is gone).
 */
export type Contention = 'lose' | 'wait'

const ATTEMPTS = 8

/**
 * Apply each compare-and-swap on its own, `true` for those that held. git 2.39 has no per-ref mode for
 * `update-ref --stdin` (any refusal aborts every update; `--batch-updates` came later), so all ops go in one
 * transaction; after a refusal the refs are re-read in one `for-each-ref`, the ops whose expectation fails now (and
 * the one git named: it may have changed and changed back) count as lost, and the rest is retried. Another git
 * busy with the refs (a lock file, a directory appearing or vanishing) is contention: waited out with backoff, a
 * bounded number of times and, with `until`, no later than that (epoch ms). Costs one process when nothing is contended. `refTransaction` is all-or-nothing, hence
 * this.
 */
export async function casEach(cwd: string, ops: RefOp[], contention: Contention, options: { until?: number } = {}): Promise<boolean[]> {
  const won = ops.map(() => false)
  let pending = ops.map((_, i) => i)
  // Taking a ref never waits for another's lock; changing one we hold waits a second per attempt.
  const lockTimeout = contention === 'lose' ? 0 : 1000
  for (let busy = 0; pending.length > 0;) {
    const input = pending.map(i => encodeOp(ops[i]!)).join('')
    const { exitCode, stderr } = await runRefUpdate(cwd, input, lockTimeout)
    if (exitCode === 0) {
      for (const i of pending) won[i] = true
      break
    }
    const locked = LOCKED.exec(stderr)?.[1]
    const patient = busy < ATTEMPTS && Date.now() < (options.until ?? Infinity)
    if ((BUSY.test(stderr) || (locked && contention === 'wait')) && patient) {
      await sleep(casBackoff(busy++))
      continue
    }
    const named = LOST_RACE.exec(stderr)?.[1] ?? (contention === 'lose' ? locked : undefined)
    const others = pending.filter(i => ops[i]!.ref !== named)
    if (named && others.length === 0) break
    const current = await currentValues(cwd, others.map(i => ops[i]!.ref))
    const retry = others.filter(i => (current.get(ops[i]!.ref) ?? null) === (ops[i]!.oldValue ?? null))
    if (retry.length === pending.length) throw new GitError(updateRefArgs(lockTimeout), exitCode, stderr, cwd)
    pending = retry
  }
  return won
}

/** Pauses between attempts at a contended ref: from 10 ms, doubling up to 1 s. */
export function casBackoff(attempt: number): number {
  return backoff(attempt, { base: 10, max: 1000 })
}

export interface SwapRefOptions {
  /** Attempts after the first when others moved the ref first (default 50). */
  retries?: number
  /** What the ref holds, for the message when every attempt lost (e.g. `notes`, `daemon state`). */
  what?: string
}

/**
 * Read-modify-write `ref` by compare-and-swap: `build` gets the ref's current value (`null` when absent) and
 * returns the new one; it is published only if the ref did not move meanwhile, else built again on the new value
 * after a jittered pause. Bounded: after `retries` lost races it throws. `build` must be a pure function of
 * the value it gets; returning that value writes nothing. Returns the value published.
 */
export async function swapRef(target: string | RefStore, ref: string, build: (current: string | null) => Promise<string>, options: SwapRefOptions = {}): Promise<string> {
  return (await swapRefs(target, [ref], async ([current]) => [await build(current ?? null)], options))[0]!
}

/**
 * `swapRef` for several refs moved together: `build` gets their current values (in order, `null` when absent) and
 * returns their new ones; all are published in one transaction, or, when any of them moved meanwhile, none, and
 * everything is built again. Bounded like `swapRef`. `target` is the repository, or the ref store deciding the refs
 * (a remote's refs are synced before each attempt).
 */
export async function swapRefs(target: string | RefStore, refs: string[], build: (current: (string | null)[]) => Promise<string[]>, options: SwapRefOptions = {}): Promise<string[]> {
  const store = refStoreOf(target)
  const { cwd } = store
  const retries = options.retries ?? 50
  const names = refs.join(' and ')
  if (!Number.isInteger(retries) || retries < 0) {
    throw gitLayerError(cwd, `Invalid retries ${JSON.stringify(retries)} for writing ${names} in ${cwd}: pass a whole number, 0 or more`)
  }
  for (let attempt = 0; ; attempt++) {
    await store.sync(refs)
    const current = await Promise.all(refs.map(ref => readRef(cwd, ref)))
    const next = await build(current)
    // Nothing to change: no transaction (over a remote, no push).
    if (next.every((value, i) => value === current[i])) return next
    if (await store.transaction(refs.map((ref, i) => ({ ref, oldValue: current[i] ?? null, newValue: next[i]! })))) return next
    if (attempt >= retries) {
      throw gitLayerError(cwd, `Could not write ${options.what ?? names} to ${names} in ${cwd}: other writers moved it ${attempt + 1} times in a row; retry later`)
    }
    await sleep(backoff(attempt, { base: 5, max: 100 }))
  }
}

function encodeOp({ ref, oldValue, newValue }: RefOp): string {
  if (!newValue) return `delete ${ref}\0${oldValue}\0`
  return oldValue ? `update ${ref}\0${newValue}\0${oldValue}\0` : `create ${ref}\0${newValue}\0`
}

/** Current sha of each of `refs` that exists, in one process (listing their parent directories). */
async function currentValues(cwd: string, refs: string[]): Promise<Map<string, string>> {
  const dirs = [...new Set(refs.map(ref => ref.slice(0, ref.lastIndexOf('/') + 1)))]
  return new Map((await listRefs(cwd, dirs)).map(entry => [entry.ref, entry.sha]))
}
