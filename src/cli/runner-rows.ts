import type { LeaseRecord } from '../locks/lease'

/** A runner as `gitvan locks` and `gitvan status` show it: which machine, and when it last reported. */
export interface RunnerRow {
  ref: string
  owner: string | null
  host: string | null
  pid: number | null
  expiresAt: number | null
  expired: boolean
  /** Epoch ms of its last renewal, by its own clock (its expiry less its ttl); `null` when unknown. */
  reportedAt: number | null
  info: Record<string, unknown>
  problem?: string
}

export function runnerRow(record: LeaseRecord): RunnerRow {
  const content = record.content
  const ttl = typeof content?.info?.ttl === 'number' ? content.info.ttl : null
  return {
    ref: record.ref,
    owner: content?.owner ?? null,
    host: content?.host ?? null,
    pid: content?.pid ?? null,
    expiresAt: content?.expiresAt ?? null,
    expired: record.expired,
    reportedAt: content && ttl !== null ? content.expiresAt - ttl : null,
    info: content?.info ?? {},
    ...(record.problem ? { problem: record.problem } : {}),
  }
}

/** `on vm-2 (pid 4242), reported 3 s ago`: where a runner runs and how fresh its lease is. */
export function describeRunner(row: RunnerRow, now = Date.now()): string {
  const reported = row.reportedAt === null ? 'never reported' : `reported ${Math.max(0, Math.round((now - row.reportedAt) / 1000))} s ago`
  return `on ${row.host ?? '?'} (pid ${row.pid ?? '?'}), ${reported}`
}
