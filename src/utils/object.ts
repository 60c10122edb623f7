/** The entries of `values` that are not `undefined`: for laying options over defaults without erasing them. */
export function definedValues<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>
}
