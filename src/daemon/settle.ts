import { setOf } from '../utils/set-of'
import { advanceLine, settledPrefix } from './line-work'
import { itemId } from './plan'
import type { RepoSnapshot } from './snapshot'
import type { DaemonState } from './state'
import { updateState } from './state'
import type { DaemonCore, WorkItem } from './types'

/** Milliseconds between writes of settled heads to the state while commits keep coming. */
const STATE_INTERVAL = 2000

/** A receipt says the item is done, or failed for good (see `DaemonCore.settled`). */
export function isSettled(core: DaemonCore, item: WorkItem): boolean {
  return core.settled.has(itemId(item))
}

/** Move each line's settled commit past its settled commits; record the tags, branches and slots settled. */
export async function settle(core: DaemonCore, snapshot: RepoSnapshot, base: DaemonState, tagWork: WorkItem[], branchWork: WorkItem[]): Promise<void> {
  const { lines, localHeads } = core
  for (const [name, work] of lines) {
    const count = settledPrefix(work, item => isSettled(core, item))
    if (count === 0) continue
    const from = localHeads.get(name)?.from ?? base.heads[name] ?? null
    localHeads.set(name, { from, to: work.shas[count - 1]! })
    core.settledCommits += count
    for (const sha of advanceLine(work, count)) for (const job of core.jobs.jobs) core.settled.delete(`${job.id} ${sha}`)
  }
  const unsettled = (items: WorkItem[], name: (item: WorkItem) => string) => new Set(items.filter(item => !isSettled(core, item)).map(name))
  const openTags = unsettled(tagWork, item => (item.trigger as { tag: string }).tag)
  const openBranches = unsettled(branchWork, item => item.branch!)
  const tags = [...snapshot.tags.keys(), ...snapshot.otherTags.keys()].filter(tag => !openTags.has(tag))
  const branches = [...snapshot.branches.keys()].filter(branch => !openBranches.has(branch))
  // The last slot handled only tells a restart where catch-up starts (receipts on anchors say what ran), so it is
  // written with other changes, or once a minute, not after every slot of a busy cron.
  const slots = [...core.slotsDone].filter(([job, slot]) => (base.schedules[job] ?? '') < slot)
  const lineGone = Object.keys(base.heads).some(name => !lines.has(name))
  const news = lineGone || !sameSet(tags, base.tags) || !sameSet(branches, base.branches)
  // Settled heads are progress, not truth (receipts are): written at once when the daemon is idle, and at most
  // every few seconds while commits keep coming, so a busy repository does not get a state commit per commit.
  const idle = core.queue.size() === 0 && core.inFlight.size === 0
  const headsDue = localHeads.size > 0 && (core.finalSettle || idle || Date.now() - core.stateWritten >= STATE_INTERVAL)
  const slotsDue = slots.length > 0 && (core.finalSettle || Date.now() - core.stateWritten >= 60_000)
  if (!news && !headsDue && !slotsDue) return
  core.stateWritten = Date.now()
  const heads = new Map(localHeads)
  localHeads.clear()
  await updateState(core.refs, (state) => {
    for (const [name, { from, to }] of heads) {
      // Only from the commit we planned from: another daemon may have moved it meanwhile, and then its value stands.
      if ((state.heads[name] ?? null) === from) state.heads[name] = to
    }
    for (const name of Object.keys(state.heads)) if (!lines.has(name)) delete state.heads[name]
    state.tags = [...new Set([...state.tags.filter(tag => snapshot.tags.has(tag) || snapshot.otherTags.has(tag)), ...tags])].sort()
    state.branches = [...new Set([...state.branches.filter(branch => snapshot.branches.has(branch)), ...branches])].sort()
    for (const [job, slot] of slots) if ((state.schedules[job] ?? '') < slot) state.schedules[job] = slot
    return state
  })
}

function sameSet(a: string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const members = setOf(b)
  return a.every(item => members.has(item))
}
