const sets = new WeakMap<readonly string[], ReadonlySet<string>>()

/**
 * The members of `list` as a Set, remembered per array: for a list read once and asked about on every tick (the
 * tags and branches of the daemon state, thousands in a large repository). The array must not change afterwards.
 */
export function setOf(list: readonly string[]): ReadonlySet<string> {
  let set = sets.get(list)
  if (!set) sets.set(list, set = new Set(list))
  return set
}
