import type { Cron } from 'croner'
import { loadCroner } from '../utils/croner'
import { writeAnchorCommits } from '../git/file-commit'
import type { DaemonJob } from './types'

export interface Schedules {
  stop: () => void
}

/**
 * One croner timer per job with `meta.schedule` (UTC unless `meta.timezone`). `onSlot` receives the slot's
 * scheduled time; an invalid expression is reported through `onError` and that job gets no timer.
 */
export function startSchedules(jobs: readonly DaemonJob[], onSlot: (job: DaemonJob, slot: Date) => void, onError: (job: DaemonJob, error: Error) => void): Schedules {
  const timers: Cron[] = []
  for (const job of jobs) {
    const { schedule, timezone } = job.job.meta
    if (!schedule) continue
    try {
      timers.push(new (loadCroner().Cron)(schedule, { timezone: timezone ?? 'UTC' }, (self: Cron) => onSlot(job, self.currentRun() ?? new Date())))
    } catch (error) {
      onError(job, scheduleError(schedule, error))
    }
  }
  return { stop: () => timers.forEach(timer => timer.stop()) }
}

function scheduleError(schedule: string, error: unknown): Error {
  return new Error(`meta.schedule "${schedule}" is not a valid cron expression: ${(error as Error).message} (e.g. "0 3 * * *" for 03:00 daily)`)
}

/**
 * The slots a restart catches up, oldest first: those of the job's schedule after `since` (the last slot handled,
 * exclusive) and before `now`, as `meta.catchUp` says: `latest` (default) the newest one, `none` nothing, a number
 * that many of the newest.
 */
export function catchUpSlots(job: DaemonJob, since: Date, now: Date): Date[] {
  const { schedule, timezone, catchUp = 'latest' } = job.job.meta
  if (!schedule || catchUp === 'none') return []
  const limit = catchUp === 'latest' ? 1 : catchUp
  if (limit === 0) return []
  const cron = new (loadCroner().Cron)(schedule, { timezone: timezone ?? 'UTC', paused: true })
  try {
    return cron.previousRuns(limit, now).filter(slot => slot > since).reverse()
  } finally {
    cron.stop()
  }
}

/** The time a slot is known by everywhere: its ISO string. */
export function slotKey(slot: Date): string {
  return slot.toISOString()
}

/**
 * Schedule receipts go on an anchor: a commit GitVan makes for the slot, the same on every machine (its id depends
 * only on the slot). A busy cron then writes one small note per slot instead of rewriting HEAD's growing note,
 * and any runner finds a slot's receipts in the same place. Anchors are cached per daemon.
 */
export function createAnchors(cwd: string) {
  const known = new Map<string, string>()
  return {
    async of(slots: string[]): Promise<Map<string, string>> {
      const missing = [...new Set(slots.filter(slot => !known.has(slot)))]
      const ids = await writeAnchorCommits(cwd, missing.map(slot => ({ message: `gitvan schedule slot ${slot}`, time: Date.parse(slot) / 1000 })))
      missing.forEach((slot, i) => known.set(slot, ids[i]!))
      return new Map(slots.map(slot => [slot, known.get(slot)!]))
    },
  }
}
