/** Where every lease lives: `refs/gitvan/locks/<scope>/<job>/<key>`. */
export const LEASE_PREFIX = 'refs/gitvan/locks/'

/** What a lease is for: a job, a commit sha or schedule slot, and the worktree when the work is worktree-scoped. */
export interface LeaseTarget {
  /** Job id, e.g. `docs:changelog`. */
  job: string
  /** What the run is for: a commit sha, a schedule slot (e.g. `cron:2024-01-01T00:00Z`), … */
  key: string
  /** Worktree id (`main` or a linked worktree's name); omit for work that is repository-wide. */
  worktree?: string
}

export class LeaseRefError extends Error {
  override name = 'LeaseRefError'
}

// Kept literally; everything else becomes %XX per UTF-8 byte (uppercase hex). Lowercase-only literals keep names
// distinct on case-insensitive file systems (loose refs are files), and escaping "." and non-ASCII sidesteps
// git's ".", "..", ".lock" rules and Unicode normalisation of file names.
const LITERAL = /^[a-z0-9_-]$/
const ENCODED = /^(?:[a-z0-9_-]|%[0-9A-F]{2})+$/
// A loose ref is a file (and `<name>.lock` while it is written): stay well below the usual 255-byte name limit.
const MAX_COMPONENT = 200
const REPO_SCOPE = 'repo'
const WORKTREE_SCOPE = 'wt-'

/**
 * The lease ref of `target`: `refs/gitvan/locks/<scope>/<job>/<key>`, scope `repo` or `wt-<worktree>`, every
 * part encoded into one ref-safe component. Every lease ref has the same depth, so none can be a prefix
 * (directory) of another, and the encoding is one-to-one, so different targets never share a lease.
 */
export function leaseRef(target: LeaseTarget): string {
  const { job, key, worktree } = target ?? {}
  const scope = worktree === undefined ? REPO_SCOPE : WORKTREE_SCOPE + encodeComponent(worktree, 'worktree id')
  return `${LEASE_PREFIX}${scope}/${encodeComponent(job, 'job id')}/${encodeComponent(key, 'lease key')}`
}

/** The target a lease ref was made for, or `null` when `ref` is not a name `leaseRef` produces. */
export function parseLeaseRef(ref: string): LeaseTarget | null {
  if (!ref.startsWith(LEASE_PREFIX)) return null
  const parts = ref.slice(LEASE_PREFIX.length).split('/')
  if (parts.length !== 3) return null
  const [scope, job, key] = [parts[0]!, decodeComponent(parts[1]!), decodeComponent(parts[2]!)]
  if (job === null || key === null) return null
  if (scope === REPO_SCOPE) return { job, key }
  const worktree = scope.startsWith(WORKTREE_SCOPE) ? decodeComponent(scope.slice(WORKTREE_SCOPE.length)) : null
  return worktree === null ? null : { job, key, worktree }
}

function encodeComponent(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new LeaseRefError(`Invalid ${what} ${JSON.stringify(value)} for a lease ref: pass a non-empty string (e.g. job "docs:changelog", key a commit sha)`)
  }
  let out = ''
  for (const char of value) {
    out += LITERAL.test(char) ? char : [...Buffer.from(char, 'utf8')].map(byte => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
  }
  if (out.length > MAX_COMPONENT) {
    throw new LeaseRefError(`Invalid ${what} "${value.slice(0, 40)}…" for a lease ref: it encodes to ${out.length} characters (max ${MAX_COMPONENT}); use a shorter id`)
  }
  return out
}

/** The value `encodeComponent` turned into `part`, or `null` when it could not have produced it. */
function decodeComponent(part: string): string | null {
  if (!ENCODED.test(part)) return null
  try {
    const value = decodeURIComponent(part)
    return encodeComponent(value, 'part') === part ? value : null
  } catch {
    return null
  }
}
