import { readHead } from '../git/repo'
import { errorLine } from '../utils/messages'
import { dispatch, readProgress } from './dispatch'
import { groupsOf } from './jobs'
import { itemStatus } from './progress'
import type { Schedules } from './schedule'
import { catchUpSlots, slotKey, startSchedules } from './schedule'
import { readState } from './state'
import type { DaemonCore, DaemonJob } from './types'

/** A timer per scheduled job: each slot is run as it comes. */
export function startScheduledRuns(core: DaemonCore): Schedules {
  return startSchedules(core.jobs.jobs, (job, slot) => {
    runSlots(core, job, [slot]).catch(error => core.options.report({ type: 'warn', message: `schedule of ${job.id} failed: ${errorLine(error)}` }))
  }, (job, error) => core.options.report({ type: 'broken', job: job.id, message: error.message }))
}

/** Slots missed while no daemon ran: the latest once, or as `meta.catchUp` says. A job never seen starts now. */
export async function catchUp(core: DaemonCore): Promise<void> {
  const { state } = await readState(core.refs)
  const now = new Date()
  for (const job of core.jobs.jobs.filter(job => job.job.meta.schedule)) {
    const since = state?.schedules[job.id]
    if (!since) {
      core.slotsDone.set(job.id, now.toISOString())
      continue
    }
    await runSlots(core, job, catchUpSlots(job, new Date(since), now))
  }
}

/** One slot of a schedule: the job runs on HEAD of the daemon's worktree, its receipt on the slot's anchor. */
async function runSlots(core: DaemonCore, job: DaemonJob, slots: Date[]): Promise<void> {
  const { self } = core
  if (core.stopping || slots.length === 0) return
  const head = await readHead(core.cwd)
  if (!head) return core.warnOnce(`schedule:${job.id}:empty`, `schedule of ${job.id} skipped: the repository has no commit to attach a receipt to`)
  // No overlap: a slot that comes while the job's previous scheduled run still goes on is skipped.
  if ([...core.inFlight.values()].some(flight => flight.item.job.id === job.id && flight.item.trigger.type === 'schedule')) return
  const keys = slots.map(slotKey)
  const anchorIds = await core.anchors.of(keys)
  const items = keys.map((slot) => {
    const item = { job, key: `schedule:${slot}`, sha: head, noteOn: anchorIds.get(slot)!, trigger: { type: 'schedule' as const, slot }, branch: self.branch, commitTime: Date.parse(slot) / 1000, place: self }
    return { ...item, groups: groupsOf(item, message => core.warnOnce(message, message)) }
  })
  const read = await readProgress(core, items)
  const due = items.filter(item => itemStatus(item, read.progress, Date.now()) === 'todo')
  for (const item of items) if (!due.includes(item)) core.slotsDone.set(job.id, (item.trigger as { slot: string }).slot)
  if (due.length > 0) await dispatch(core, due, read)
}
