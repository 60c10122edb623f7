import { lazyRequire } from '../utils/lazy-require'

/** Only a plugin that declares `meta.compatibility` needs it. */
const loadSemver = lazyRequire<typeof import('semver')>('semver')

/**
 * Whether GitVan `version` satisfies a plugin's `meta.compatibility` (npm's semver ranges). A prerelease of
 * GitVan counts as its release: `2.2.0-beta.1` satisfies `^2.1.0` and `2.2.0`.
 */
export function satisfiesRange(version: string, range: string): boolean {
  const semver = loadSemver()
  if (!semver.valid(version)) throw new RangeError(`"${version}" is not a version like 2.1.0`)
  return semver.satisfies(semver.coerce(version)!, range)
}

/** Why `range` cannot be read, or `undefined` when it is fine. */
export function rangeProblem(range: unknown): string | undefined {
  if (typeof range !== 'string' || range.trim() === '') return 'it must be a non-empty string like "^2.1.0"'
  const alternatives = range.split('||')
  // semver reads an empty alternative as "any version": a stray `||` would accept every GitVan.
  if (alternatives.some(alternative => alternative.trim() === '')) return `"${range}" has an empty alternative around "||"`
  const semver = loadSemver()
  if (semver.validRange(range)) return undefined
  const wrong = alternatives.find(alternative => !semver.validRange(alternative))?.trim() ?? range
  const part = wrong.split(/\s+/).find(token => !semver.validRange(token)) ?? wrong
  return `"${part}" in "${range}" is not a comparator like ^2.1.0, >=2.1.0 or 2.1.0`
}
