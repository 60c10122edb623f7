/**
 * Ways a run ends other than success or failure, thrown (or used as an abort reason) and turned into a receipt
 * status by `executeJob`. Recognised by a brand rather than `instanceof`: job code may load its own copy of GitVan's
 * modules (through jiti), and its `RunSkipped` must still be recognised.
 */
const SKIPPED = Symbol.for('gitvan.run-skipped')
const CANCELLED = Symbol.for('gitvan.run-cancelled')

/** The run skipped itself (`useJob().skip(reason)`): it ends `skipped`, which settles the pair like a success. */
export class RunSkipped extends Error {
  override name = 'RunSkipped'
  readonly [SKIPPED] = true
}

/** The run was ended early because a newer run of its `cancelInProgress` concurrency group took its place. */
export class RunCancelled extends Error {
  override name = 'RunCancelled'
  readonly [CANCELLED] = true
}

export function isRunSkipped(error: unknown): error is RunSkipped {
  return typeof error === 'object' && error !== null && SKIPPED in error
}

export function isRunCancelled(error: unknown): error is RunCancelled {
  return typeof error === 'object' && error !== null && CANCELLED in error
}
