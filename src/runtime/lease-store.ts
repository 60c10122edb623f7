import { setTimeout as sleep } from 'node:timers/promises'
import { withCatFile } from '../git/cat-file'
import { GitError } from '../git/error'
import { listRefs } from '../git/refs'
import { runGit } from '../git/run'
import type { CatFile, RefOp } from '../types/git'
import { backoff } from '../utils/backoff'
import { writeFileCommits } from '../git/file-commit'

/** What a lease commit's `lease.json` holds. */
export interface LeaseContent {
  owner: string
  host: string
  pid: number
  /** Random per acquisition: no two acquisitions of a ref get the same commit, so a compare-and-swap never confuses holders. */
  nonce: string
  /** Epoch milliseconds after which others may take the lease over. */
  expiresAt: number
}

/** A lease as found in the repository. */
export interface LeaseRecord {
  ref: string
  /** The lease commit the ref pointed to when read: the value a takeover or clean-up swaps from. */
  id: string
  /** `null` when the ref does not point to a readable lease commit (see `problem`). */
  content: LeaseContent | null
  /** Why the lease could not be read; a corrupted lease counts as expired so it can be taken over. */
  problem: string | null
  expired: boolean
}

/**
 * What to do when another git process holds a ref's lock file: `lose` (we are trying to take the ref, and someone
 * else is at it right now) or `wait` (the ref is ours to renew or release: retry until their lock is gone).
 */
export type Contention = 'lose' | 'wait'

const FILE = 'lease.json'
// Fixed identity and date: lease commits need no user config, and their id depends on their content only.
// git's refusals (stable wording: runGit sets LC_ALL=C): an expectation that did not hold, a ref locked by another.
const LOST_RACE = /^fatal: cannot lock ref '([^']+)': (?:reference already exists|is at [0-9a-f]+ but expected [0-9a-f]+|unable to resolve reference '[^']+')$/m
const LOCKED = /^fatal: cannot lock ref '([^']+)': Unable to create '.*\.lock': File exists\.$/m
const WAIT_ATTEMPTS = 8

/**
 * Apply each compare-and-swap on its own, `true` for those that held. git 2.39 has no per-ref mode for
 * `update-ref --stdin` (any refusal aborts every update; `--batch-updates` came later), so all ops go in one
 * transaction; after a refusal the refs are re-read in one `for-each-ref`, the ops whose expectation fails now (and
 * the one git named: it may have changed and changed back) count as lost, and the rest is retried. Costs one process
 * when nothing is contended. `refTransaction` is all-or-nothing and re-reads with one process per ref, hence this.
 */
export async function casEach(cwd: string, ops: RefOp[], contention: Contention): Promise<boolean[]> {
  const won = ops.map(() => false)
  let pending = ops.map((_, i) => i)
  // Taking a ref never waits for another's lock; renewing or releasing one waits a second per attempt.
  const args = ['-c', `core.filesRefLockTimeout=${contention === 'lose' ? 0 : 1000}`, 'update-ref', '--stdin', '-z']
  for (let attempt = 0; pending.length > 0; attempt++) {
    const input = pending.map(i => encodeOp(ops[i]!)).join('')
    const { exitCode, stderr } = await runGit(args, { cwd, input, okCodes: [0, 128] })
    if (exitCode === 0) {
      for (const i of pending) won[i] = true
      break
    }
    const locked = LOCKED.exec(stderr)?.[1]
    if (locked && contention === 'wait' && attempt < WAIT_ATTEMPTS) {
      await sleep(leaseBackoff(attempt))
      continue
    }
    const named = LOST_RACE.exec(stderr)?.[1] ?? (contention === 'lose' ? locked : undefined)
    const others = pending.filter(i => ops[i]!.ref !== named)
    if (named && others.length === 0) break
    const current = await currentValues(cwd, others.map(i => ops[i]!.ref))
    const retry = others.filter(i => (current.get(ops[i]!.ref) ?? null) === (ops[i]!.oldValue ?? null))
    if (retry.length === pending.length) throw new GitError(args, exitCode, stderr, cwd)
    pending = retry
  }
  return won
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

/** Write a root commit whose tree holds `lease.json`, and return its id; no ref is touched. */
export async function writeLeaseCommit(cwd: string, content: LeaseContent): Promise<string> {
  const [id] = await writeFileCommits(cwd, [{ file: FILE, content: `${JSON.stringify(content)}\n`, message: 'gitvan lease' }])
  return id!
}


/**
 * The leases at `targets`, read by one `cat-file` process through `rev` (the ref itself, or the sha a listing gave):
 * the id is the one `rev` resolved to, so the content judged and the id swapped from belong together. `undefined`
 * for a ref that does not exist.
 */
export function readLeaseRecords(cwd: string, targets: { ref: string, rev: string }[], now: number): Promise<(LeaseRecord | undefined)[]> {
  if (targets.length === 0) return Promise.resolve([])
  return withCatFile(cwd, cat => Promise.all(targets.map(({ ref, rev }) => readRecord(cat, ref, rev, now))))
}

async function readRecord(cat: CatFile, ref: string, rev: string, now: number): Promise<LeaseRecord | undefined> {
  const info = await cat.info(rev)
  if (!info && rev === ref) return undefined
  const id = info?.oid ?? rev
  const text = info?.type === 'commit' ? await cat.readText(`${id}:${FILE}`) : null
  const parsed = info?.type !== 'commit'
    ? `it points to a ${info?.type ?? 'missing object'}, not a lease commit`
    : text === null ? `its commit has no ${FILE}` : parseContent(text)
  if (typeof parsed === 'string') {
    return { ref, id, content: null, problem: `Corrupted lease ${ref} (${id}): ${parsed}; it counts as expired and can be taken over`, expired: true }
  }
  return { ref, id, content: parsed, problem: null, expired: parsed.expiresAt <= now }
}

/** The content of a `lease.json`, or why it is not one. */
function parseContent(text: string): LeaseContent | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  }
  catch {
    return `${FILE} is not valid JSON`
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${FILE} is not a JSON object`
  const content = value as Record<string, unknown>
  for (const [field, type] of [['owner', 'string'], ['host', 'string'], ['pid', 'number'], ['nonce', 'string'], ['expiresAt', 'number']] as const) {
    if (typeof content[field] !== type || (type === 'number' && !Number.isFinite(content[field]))) return `${FILE} has no valid "${field}" (${type})`
  }
  return content as unknown as LeaseContent
}

/** Pauses for lease contention: from 10 ms, doubling up to 1 s. */
export function leaseBackoff(attempt: number): number {
  return backoff(attempt, { base: 10, max: 1000 })
}
