/** Helpers for GitVan's one-line error messages about values from configs and plugins. */

/** The first line of an error's message: multi-line errors still give one-line reports. */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).trim().split('\n')[0]!
}

/** A value as a message shows what was found instead: `"text"`, `a number`, `an array of 2`, `null`. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || value === undefined) return String(value)
  return `a ${typeof value}`
}

export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
