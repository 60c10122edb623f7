/**
 * A pause before retry `attempt` (0-based): doubling from `base` ms up to `max` ms, jittered between half and
 * all of it so that competing processes spread out instead of colliding again.
 */
export function backoff(attempt: number, { base, max }: { base: number; max: number }): number {
  const ceiling = Math.min(max, base * 2 ** attempt)
  return ceiling / 2 + (Math.random() * ceiling) / 2
}
