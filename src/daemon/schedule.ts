import { Cron } from 'croner'
import type { DaemonJob } from './types'

export interface Schedules {
  stop: () => void
}

/**
 * One croner timer per job with `meta.schedule` (UTC unless `meta.timezone`). `protect` skips a slot while the
 * previous run of that job still goes on: no overlap. `onSlot` receives the slot's scheduled time.
 */
export function startSchedules(jobs: readonly DaemonJob[], onSlot: (job: DaemonJob, slot: Date) => Promise<void>, onError: (job: DaemonJob, error: Error) => void): Schedules {
  const timers: Cron[] = []
  for (const job of jobs) {
    const { schedule, timezone } = job.job.meta
    if (!schedule) continue
    try {
      timers.push(new Cron(schedule, { timezone: timezone ?? 'UTC', protect: true }, async (self: Cron) => {
        await onSlot(job, self.currentRun() ?? new Date())
      }))
    } catch (error) {
      onError(job, new Error(`meta.schedule "${schedule}" is not a valid cron expression: ${(error as Error).message}`))
    }
  }
  return { stop: () => timers.forEach(timer => timer.stop()) }
}
