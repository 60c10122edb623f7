import { withCatFile } from '../git/cat-file'
import { writeFileCommits } from '../git/file-commit'
import type { CatFile } from '../types/git'

/** What a lease commit's `lease.json` holds. */
export interface LeaseContent {
  owner: string
  host: string
  pid: number
  /** Random per acquisition: no two acquisitions of a ref get the same commit, so a compare-and-swap never confuses holders. */
  nonce: string
  /** Epoch milliseconds after which others may take the lease over. */
  expiresAt: number
  /** What the holder wants others to see (a daemon's heartbeat); absent when it gave none. */
  info?: Record<string, unknown>
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

const FILE = 'lease.json'

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
export function readLeaseRecords(cwd: string, targets: { ref: string; rev: string }[], now: number): Promise<(LeaseRecord | undefined)[]> {
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
  } catch {
    return `${FILE} is not valid JSON`
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${FILE} is not a JSON object`
  const content = value as Record<string, unknown>
  for (const [field, type] of [['owner', 'string'], ['host', 'string'], ['pid', 'number'], ['nonce', 'string'], ['expiresAt', 'number']] as const) {
    if (typeof content[field] !== type || (type === 'number' && !Number.isFinite(content[field]))) return `${FILE} has no valid "${field}" (${type})`
  }
  return content as unknown as LeaseContent
}
