/** How a config or plugin message shows what it found instead: `"text"`, `a number`, `an array of 2`, `null`. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || value === undefined) return String(value)
  return `a ${typeof value}`
}
