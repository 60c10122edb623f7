import { setTimeout as sleep } from 'node:timers/promises'
import type { RefEntry, RefOp, RefTxOp } from '../types/git'
import { withCatFile } from './cat-file'
import { GitError, gitLayerError } from './error'
import { ZERO_OID, assertOid } from './oid'
import { assertRefName } from './ref-name'
import { git } from './command'
import { runRefUpdate, updateRefArgs } from './update-ref'
import { backoff } from '../utils/backoff'
import { isRefContention } from './ref-errors'

export { ZERO_OID } from './oid'

// Wait up to 1 s for another writer's ref lock (git's default is 100 ms) instead of failing while it finishes.
const LOCK_TIMEOUT = 1000

/**
 * The sha `ref` (a full name: HEAD or refs/…, symbolic refs followed) points to, `null` when it does not exist.
 * The name check leaves rev-parse no revision syntax to interpret, and a full name is looked up as itself first.
 */
export async function readRef(cwd: string, ref: string): Promise<string | null> {
  assertRefName(cwd, ref)
  // Through the shared `cat-file`, which resolves refs afresh on every request (loose and packed): no process.
  return (await withCatFile(cwd, cat => cat.info(ref)))?.oid ?? null
}

/**
 * Refs matching `patterns` (as `git for-each-ref` matches them: a prefix ending at a `/`, or a glob), sorted by
 * name, in one process. An empty list matches nothing.
 */
export async function listRefs(cwd: string, patterns: string | string[]): Promise<RefEntry[]> {
  const list = typeof patterns === 'string' ? [patterns] : patterns
  if (list.length === 0) return []
  const out = await git(['for-each-ref', '--format=%(objectname) %(refname)', '--end-of-options', ...list], { cwd })
  // A ref name cannot contain a space or a newline, so each line splits at its first space.
  return out === '' ? [] : out.split('\n').map(line => ({ sha: line.slice(0, line.indexOf(' ')), ref: line.slice(line.indexOf(' ') + 1) }))
}

/**
 * Compare-and-swap one ref: create (`oldValue` null or ZERO_OID: must not exist), update (`oldValue` the
 * expected sha) or delete (`newValue` null). `false` when the expectation did not hold, and nothing changed.
 */
export function updateRef(cwd: string, op: RefOp): Promise<boolean> {
  return refTransaction(cwd, [op])
}

/**
 * Apply all `ops` or none, in one `git update-ref --stdin` transaction. `false` when an expectation (an
 * `oldValue` or a `verify`) did not hold, decided by re-reading the refs after git refused. When they all hold
 * again on re-reading (a ref moved and came back, or another git held a lock for a moment) the transaction is
 * tried again; a refusal that persists, or any other failure (invalid value, missing object, name conflict),
 * throws a `GitError`.
 */
export async function refTransaction(cwd: string, ops: RefTxOp[]): Promise<boolean> {
  if (ops.length === 0) return true
  const commands = ops.map(op => encodeOp(cwd, op)).join('')
  for (let attempt = 0; ; attempt++) {
    const { exitCode, stderr } = await runRefUpdate(cwd, commands, LOCK_TIMEOUT)
    if (exitCode === 0) return true
    const busy = isRefContention(stderr)
    if (!busy && !(await expectationsHold(cwd, ops))) return false
    if (attempt >= TRANSACTION_RETRIES) throw new GitError(updateRefArgs(LOCK_TIMEOUT), exitCode, stderr, cwd)
    await sleep(backoff(attempt, busy ? { base: 10, max: 1000 } : { base: 5, max: 50 }))
  }
}

/**
 * Refusals retried while every expectation still holds (a race that resolves itself, not a real conflict) or
 * while another git is busy with the refs (a lock file, a ref directory appearing or vanishing).
 */
const TRANSACTION_RETRIES = 8

/** One `update-ref --stdin -z` command; an empty old value means "no check", `create` means "must not exist". */
function encodeOp(cwd: string, op: RefTxOp): string {
  assertRefName(cwd, op.ref)
  if ('verify' in op) return `verify ${op.ref}\0${expectedValue(cwd, op.ref, op.verify) ?? ''}\0`
  const old = op.oldValue === undefined ? undefined : expectedValue(cwd, op.ref, op.oldValue)
  if (op.newValue === null || op.newValue === undefined) {
    if (old === null) {
      throw gitLayerError(cwd, `Cannot delete ${op.ref} in ${cwd} while expecting it not to exist: pass its current sha as oldValue`)
    }
    return `delete ${op.ref}\0${old ?? ''}\0`
  }
  assertOid(cwd, op.newValue, `newValue for ${op.ref}`)
  return old === null ? `create ${op.ref}\0${op.newValue}\0` : `update ${op.ref}\0${op.newValue}\0${old ?? ''}\0`
}

/** The value an op expects: a sha, or `null` for "must not exist". */
function expectedValue(cwd: string, ref: string, value: string | null): string | null {
  if (value === null || value === ZERO_OID) return null
  assertOid(cwd, value, `expected value for ${ref}`)
  return value
}

async function expectationsHold(cwd: string, ops: RefTxOp[]): Promise<boolean> {
  const checks = ops.flatMap(op => 'verify' in op
    ? [{ ref: op.ref, want: expectedValue(cwd, op.ref, op.verify) }]
    : op.oldValue === undefined ? [] : [{ ref: op.ref, want: expectedValue(cwd, op.ref, op.oldValue) }])
  const current = await Promise.all(checks.map(check => readRef(cwd, check.ref)))
  return checks.every((check, i) => current[i] === check.want)
}
