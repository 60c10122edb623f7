import { HTTPError } from 'h3'
import type { IndexedRun, ReceiptStatus } from '../types/receipt'
import type { JobTrigger } from '../types/job'
import type { RunFilter } from '../types/ui'

export const STATUSES: readonly (ReceiptStatus | 'failed')[] = ['ok', 'error', 'timeout', 'skipped', 'cancelled', 'failed']
export const TRIGGERS: readonly JobTrigger['type'][] = ['commit', 'tag', 'branch', 'schedule', 'manual', 'job']
const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const
const DURATION = /^(\d+)([mhdw])$/
const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/

/** The filter a runs URL asks for; a value that makes no sense is a 400 saying which and what would. */
export function parseRunFilter(query: URLSearchParams, now = Date.now()): RunFilter {
  const filter: RunFilter = { page: 1 }
  const text = (key: string) => query.get(key)?.trim() || undefined
  filter.job = text('job')
  filter.branch = text('branch')
  filter.worktree = text('worktree')
  filter.q = text('q')
  const status = text('status')
  if (status !== undefined) filter.status = oneOf('status', status, STATUSES, 'a run status')
  const trigger = text('trigger')
  if (trigger !== undefined) filter.trigger = oneOf('trigger', trigger, TRIGGERS, 'a trigger')
  const since = text('since')
  if (since !== undefined) filter.since = { raw: since, time: sinceTime(since, now) }
  const page = text('page')
  if (page !== undefined) {
    filter.page = Number(page)
    if (!Number.isInteger(filter.page) || filter.page < 1) throw badInput(`page=${page} in the link is not a page number: use a whole number of 1 or more`)
  }
  return filter
}

/** Whether a run passes the filter (all but the page). `subject` is the commit's, for the text search. */
export function matchesRun(run: IndexedRun, filter: RunFilter, subject: string | undefined): boolean {
  if (filter.job !== undefined && run.job !== filter.job) return false
  if (filter.status !== undefined && !(filter.status === 'failed' ? run.status === 'error' || run.status === 'timeout' : run.status === filter.status)) return false
  if (filter.branch !== undefined && runBranch(run) !== filter.branch) return false
  if (filter.worktree !== undefined && run.worktree !== filter.worktree) return false
  if (filter.trigger !== undefined && run.trigger?.type !== filter.trigger) return false
  if (filter.since !== undefined && run.startedAt < filter.since.time) return false
  if (filter.q !== undefined) {
    const tag = run.trigger?.type === 'tag' ? run.trigger.tag : ''
    const haystack = [run.job, subject, run.error, run.reason, tag].join('\n').toLowerCase()
    const needle = filter.q.toLowerCase()
    if (!haystack.includes(needle) && !run.sha.startsWith(needle)) return false
  }
  return true
}

/** The branch a run was for, when its trigger says. */
export function runBranch(run: IndexedRun): string | null {
  return run.trigger?.type === 'commit' || run.trigger?.type === 'branch' ? run.trigger.branch : null
}

/** The query string of `filter` with `change` applied (`undefined` drops a key); page 1 is left out. */
export function filterQuery(filter: RunFilter, change: Partial<Record<keyof RunFilter, string | number | undefined>> = {}): string {
  const values: Record<string, string | number | undefined> = {
    job: filter.job,
    status: filter.status,
    branch: filter.branch,
    worktree: filter.worktree,
    trigger: filter.trigger,
    since: filter.since?.raw,
    q: filter.q,
    page: filter.page,
    ...change,
  }
  if (values.page === 1) delete values.page
  const params = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => [key, String(value)] as [string, string]))
  const query = params.toString()
  return query ? `?${query}` : ''
}

function sinceTime(value: string, now: number): string {
  const duration = DURATION.exec(value)
  if (duration) return new Date(now - Number(duration[1]) * UNITS[duration[2] as keyof typeof UNITS]).toISOString()
  const time = DATE.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(time)) throw badInput(`since=${value} in the link is not a time: use a duration such as 30m, 24h, 7d or 2w, or a date such as 2026-11-24`)
  return new Date(time).toISOString()
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw badInput(`${key}=${value} in the link is not ${what}: use ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`)
}

export function badInput(message: string): HTTPError {
  return new HTTPError({ status: 400, message })
}
