import type { ExecResult } from '../types/exec'
import { hostName } from '../utils/host'
import type { JobTrigger } from '../types/job'
import type { Receipt, ReceiptStatus } from '../types/receipt'

export interface ReceiptInput {
  job: string
  sha: string
  trigger: JobTrigger
  worktree: string
  startedAt: Date
  result: ExecResult
  status: ReceiptStatus
  /** Why it was `skipped` or `cancelled`. */
  reason?: string
}

/** The receipt of one run. Only the facts below are kept: never stdout, stderr or the environment. */
export function createReceipt(input: ReceiptInput): Receipt {
  const finishedAt = new Date(input.startedAt.getTime() + input.result.durationMs)
  return {
    v: 1,
    job: input.job,
    sha: input.sha,
    ok: input.status === 'ok' || input.status === 'skipped',
    status: input.status,
    trigger: input.trigger,
    startedAt: input.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: input.result.durationMs,
    worktree: input.worktree,
    host: hostName(),
    pid: process.pid,
    ...(input.result.artifact ? { artifact: input.result.artifact } : {}),
    ...(input.result.error ? { error: input.result.error } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
  }
}

/** Parse the receipts in a note: one JSON line each. Lines that are not receipts are returned apart, not thrown. */
export function parseReceipts(note: string): { receipts: Receipt[]; invalid: string[] } {
  const receipts: Receipt[] = []
  const invalid: string[] = []
  for (const line of note.split('\n')) {
    if (line.trim() === '') continue
    try {
      const value = JSON.parse(line) as Receipt
      if (value?.v === 1 && typeof value.job === 'string' && typeof value.sha === 'string' && typeof value.ok === 'boolean') receipts.push(value)
      else invalid.push(line)
    } catch {
      invalid.push(line)
    }
  }
  return { receipts, invalid }
}

/** The key a receipt settles: the commit for commit and manual runs, else the tag, branch or slot. */
export function receiptKey(receipt: Receipt): string | null {
  switch (receipt.trigger?.type) {
    case 'commit':
    case 'manual': {
      return receipt.sha
    }
    case 'tag': {
      return `tag:${receipt.trigger.tag}`
    }
    case 'branch': {
      return `branch:${receipt.trigger.branch}`
    }
    case 'schedule': {
      return `schedule:${receipt.trigger.slot}`
    }
    default: {
      return null
    }
  }
}

/** Which of a job's pairs a receipt is an attempt of: what it settles, or for a nested run (it settles nothing) its trigger type. */
export function attemptKey(receipt: Receipt): string {
  return receiptKey(receipt) ?? receipt.trigger?.type ?? ''
}
