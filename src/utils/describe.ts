/** Longer strings are cut: a message stays one readable line even when the value is a whole file. */
const MAX_SHOWN = 60

/**
 * How every message shows what it found instead of what it expected: scalars as written (`"text"`, `5`, `NaN`,
 * `true`, `undefined`, `null`), containers by their shape (`an empty array`, `an array of 2`, `an object`, `a Map`), `a function`,
 * a Date as its ISO time (`an invalid Date`). Never prints the inside of an object, which may hold secrets.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const text = JSON.stringify(value)
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
  }
  if (typeof value === 'function') return 'a function'
  if (typeof value !== 'object' || value === null) return String(value)
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString()
  const name = Object.getPrototypeOf(value)?.constructor?.name
  return !name || name === 'Object' ? 'an object' : `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`
}
