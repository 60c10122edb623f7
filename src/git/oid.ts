import { createHash } from 'node:crypto'
import { gitLayerError } from './error'

/** The all-zero object id git uses for "no object" (SHA-1 length). */
export const ZERO_OID = '0000000000000000000000000000000000000000'

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/** A full lowercase SHA-1 or SHA-256 object id (no abbreviations, no revision syntax). */
export function isOid(value: unknown): value is string {
  return typeof value === 'string' && FULL_OID.test(value)
}

export function assertOid(cwd: string, value: unknown, what: string): asserts value is string {
  if (!isOid(value)) {
    throw gitLayerError(cwd, `Invalid ${what} ${JSON.stringify(value)} in ${cwd}: pass a full 40-hex object id (resolve names with readRef or git rev-parse first)`)
  }
}

/**
 * The id git gives a blob holding `content`, in the object format of `like` (an id from the same repository:
 * 40 hex digits for SHA-1, 64 for SHA-256). Lets a writer name an object before fast-import writes it.
 */
export function blobOid(content: string, like: string): string {
  const bytes = Buffer.from(content, 'utf8')
  return createHash(like.length === 64 ? 'sha256' : 'sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}
