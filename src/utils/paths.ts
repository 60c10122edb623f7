import { existsSync, realpathSync } from 'node:fs'
import { dirname, isAbsolute, normalize, relative, resolve } from 'pathe'

/** A path that would leave the repository root. */
export class PathEscapeError extends Error {
  override name = 'PathEscapeError'
}

/**
 * Resolve `path` (relative to `root`) and make sure it stays inside `root`, following symlinks of the part
 * that exists. Absolute paths, `..` escapes and symlinks pointing out of the tree are refused.
 */
export function resolveInside(root: string, path: string, what = 'path'): string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new PathEscapeError(`Invalid ${what} ${JSON.stringify(path)}: expected a non-empty path relative to ${root}`)
  }
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) {
    throw new PathEscapeError(`Refusing ${what} "${path}": absolute paths are not allowed, use a path relative to ${root}`)
  }
  const target = resolve(root, path)
  if (!isWithin(root, target)) {
    throw new PathEscapeError(`Refusing ${what} "${path}": it escapes the repository root ${root}, use a path inside it`)
  }
  const realRoot = realpathSync(root)
  const realTarget = realpathOfExisting(target)
  if (!isWithin(realRoot, realTarget)) {
    throw new PathEscapeError(`Refusing ${what} "${path}": a symlink leads out of the repository root ${root}`)
  }
  return target
}

/** Whether a plugin entry (or import specifier) is a path (`./x`, `../x`, `/x`) rather than a package name. */
export function isPathSpecifier(specifier: string): boolean {
  return /^\.{0,2}\//.test(specifier)
}

/** Whether `child` is `parent` or below it (both absolute). */
export function isWithin(parent: string, child: string): boolean {
  const rel = relative(normalize(parent), normalize(child))
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** realpath of the longest existing prefix of `path`, with the missing rest appended. */
function realpathOfExisting(path: string): string {
  let existing = path
  while (!existsSync(existing)) {
    const parent = dirname(existing)
    if (parent === existing) return path
    existing = parent
  }
  return resolve(realpathSync(existing), relative(existing, path))
}
