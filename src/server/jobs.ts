import { loadCroner } from '../utils/croner'
import type { JobSummary } from '../jobs/registry'
import { triggerText } from '../jobs/trigger-text'
import type { IndexedRun, ReceiptIndex } from '../types/receipt'
import type { JobOverview } from '../types/ui'

const LAST_RUNS = 10
const NEXT_SLOTS = 3

/**
 * Each job with what starts it, its next schedule slots, its last runs and success rate. `summaries` are the
 * project's jobs (`null` without a worktree); jobs only the receipts name are listed too, without a definition.
 */
export function jobsOverview(index: ReceiptIndex, summaries: JobSummary[] | null, now = new Date()): JobOverview[] {
  const runsByJob = new Map<string, IndexedRun[]>()
  for (const run of index.runs) {
    const list = runsByJob.get(run.job)
    if (list) list.push(run)
    else runsByJob.set(run.job, [run])
  }
  const known = new Map((summaries ?? []).map(summary => [summary.id, summary]))
  const ids = [...new Set([...known.keys(), ...runsByJob.keys()])].sort()
  return ids.map((id) => {
    const summary = known.get(id) ?? null
    const runs = runsByJob.get(id) ?? []
    const ended = runs.filter(run => run.status !== 'cancelled')
    return {
      id,
      summary,
      triggers: summary ? triggerText(summary) : '',
      next: summary?.schedule ? nextSlots(summary.schedule, summary.timezone, now) : [],
      last: runs.slice(0, LAST_RUNS),
      runs: runs.length,
      successRate: ended.length > 0 ? ended.filter(run => run.ok).length / ended.length : null,
    }
  })
}

function nextSlots(schedule: string, timezone: string | undefined, now: Date): string[] {
  try {
    return new (loadCroner().Cron)(schedule, { timezone: timezone ?? 'UTC', paused: true }).nextRuns(NEXT_SLOTS, now).map(date => date.toISOString())
  } catch {
    // An invalid expression is reported by `gitvan list` and the daemon; here it has no next slot.
    return []
  }
}
