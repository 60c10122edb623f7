import { runGit } from '../git/command'
import { compactPacks, countPacks } from '../git/maintenance'
import { errorLine } from '../utils/messages'
import type { DaemonCore } from './types'

/** Idle milliseconds before housekeeping, and the least time between two. */
const HOUSEKEEPING_IDLE = 30_000
const HOUSEKEEPING_EVERY = 10 * 60_000
/** Packs written by this daemon before housekeeping merges them. */
const COMPACT_AFTER_PACKS = 16

export interface HousekeepingState {
  timer: NodeJS.Timeout | undefined
  /** When housekeeping last ran (epoch ms). */
  last: number
  /** The number of packs when this daemon started (or last merged its own): what its writes added is the rest. */
  packsAtStart: number | undefined
}

/**
 * Once the daemon has been idle for a while: the packs its own writes left merged (see `compactOwnPacks`), then
 * `git gc --auto`, where git decides whether there is anything else to pack (its `gc.auto` thresholds), so the
 * objects runs leave are packed before the user's own next commit has to.
 */
export function scheduleHousekeeping(core: DaemonCore): void {
  const { app, queue, housekeeping } = core
  clearTimeout(housekeeping.timer)
  if (!app.options.daemon.housekeeping || core.options.once || core.stopping || queue.size() > 0 || core.inFlight.size > 0) return
  housekeeping.timer = setTimeout(() => {
    if (core.stopping || queue.size() > 0 || Date.now() - housekeeping.last < HOUSEKEEPING_EVERY) return
    housekeeping.last = Date.now()
    void compactOwnPacks(core)
      .then(() => runGit(['gc', '--auto', '--quiet'], { cwd: core.cwd }))
      .catch(error => core.warnOnce(`gc:${errorLine(error)}`, `housekeeping (git gc --auto) failed: ${errorLine(error)}; set daemon.housekeeping to false to stop trying`))
  }, HOUSEKEEPING_IDLE)
  housekeeping.timer.unref()
}

/**
 * Every fast-import of receipts or claims is a pack, and a backlog leaves a hundred, whose notes trees mostly
 * repeat each other: once this daemon added `COMPACT_AFTER_PACKS` of them, `git repack --geometric` merges the
 * small packs (deltas make the trees a fraction of their size), at the cost of those packs only.
 */
export async function compactOwnPacks(core: DaemonCore): Promise<void> {
  const { app, housekeeping } = core
  const packs = await countPacks(app.repo.commonDir)
  if (housekeeping.packsAtStart === undefined || packs - housekeeping.packsAtStart < COMPACT_AFTER_PACKS) return
  await compactPacks(core.cwd).catch(error => core.warnOnce(`repack:${errorLine(error)}`, `housekeeping (git repack --geometric=2) failed: ${errorLine(error)}; set daemon.housekeeping to false to stop trying`))
  housekeeping.packsAtStart = await countPacks(app.repo.commonDir)
}
