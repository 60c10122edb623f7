/**
 * Ways a run ends other than success or failure. Both are thrown (or used as an abort reason) and turned into
 * a receipt status by `executeJob`.
 */

/** The run skipped itself (`useJob().skip(reason)`): it ends `skipped`, which settles the pair like a success. */
export class RunSkipped extends Error {
  override name = 'RunSkipped'
}

/** The run was ended early because a newer run of its `cancelInProgress` concurrency group took its place. */
export class RunCancelled extends Error {
  override name = 'RunCancelled'
}
