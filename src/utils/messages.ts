import { stripVTControlCharacters } from 'node:util'

/** Helpers for GitVan's one-line messages: results, receipts and log lines carry one line each. */

/** The first non-empty line of `text` (`''` when there is none). */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/** A line that says what went wrong, as git and most tools start one. */
const ERROR_LINE = /^(?:fatal|error)\b/i

/**
 * The last `count` non-empty lines of `text` on one line, joined by ` | `, without terminal escapes and cut to
 * `max` characters from the end: how a failure quotes what a command printed last. When those lines are advice
 * after the error (git: `fatal: Unable to create '.../index.lock': File exists.`, then five lines on what to do),
 * the last error line comes first.
 */
export function lastLines(text: string, count = 3, max = 300): string {
  const lines = stripVTControlCharacters(text).split('\n').map(line => line.trim()).filter(Boolean)
  const tail = lines.slice(-count)
  const joined = tail.join(' | ')
  const end = joined.length > max ? `…${joined.slice(-(max - 1))}` : joined
  const cause = tail.some(line => ERROR_LINE.test(line)) ? undefined : lines.slice(0, -count).reverse().find(line => ERROR_LINE.test(line))
  return cause ? `${cause.length > max ? `${cause.slice(0, max - 1)}…` : cause} | … | ${end}` : end
}

/** The first line of an error's message, or of whatever was thrown. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return firstLine(message) || (error instanceof Error ? error.name : 'unknown error')
}

/** An object literal (or `Object.create(null)`), not an array, a class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, any> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
