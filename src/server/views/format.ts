import type { JobTrigger } from '../../types/job'
import type { ReceiptStatus } from '../../types/receipt'
import { html } from './html'
import type { SafeHtml } from './html'

/** `350 ms`, `4.2 s`, `3 min 12 s`, `2 h 5 min`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** A `<time>` in UTC; the page's script shows it in the reader's zone and relative to now. */
export function time(iso: string): SafeHtml {
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7)
}

export function statusChip(status: ReceiptStatus, label: string = status): SafeHtml {
  return html`<span class="status status-${status}">${label}</span>`
}

/** `commit on main`, `tag v1.0.0`, `schedule 2026-11-24T00:00:00.000Z`, `manual`, `by job release`. */
export function triggerLabel(trigger: JobTrigger | undefined): string {
  switch (trigger?.type) {
    case 'commit': {
      return trigger.branch ? `commit on ${trigger.branch}` : 'commit'
    }
    case 'tag': {
      return `tag ${trigger.tag}`
    }
    case 'branch': {
      return `new branch ${trigger.branch}`
    }
    case 'schedule': {
      return `schedule ${trigger.slot}`
    }
    case 'job': {
      return `by job ${trigger.parent}`
    }
    default: {
      return trigger?.type ?? 'unknown'
    }
  }
}

/** The page of a run: the job's runs in the same note (its attempts among them), this one open. */
export function runHref(run: { note: string; job: string; position: number }): string {
  return `/run?${new URLSearchParams({ note: run.note, job: run.job, n: String(run.position) })}`
}
