import type { JobTrigger } from './job'

export type ReceiptStatus = 'ok' | 'error' | 'timeout'

/** One line of JSON appended to the note of the run's commit on the receipts ref. */
export interface Receipt {
  v: 1
  job: string
  sha: string
  ok: boolean
  status: ReceiptStatus
  trigger: JobTrigger
  startedAt: string
  finishedAt: string
  durationMs: number
  worktree: string
  host: string
  pid: number
  artifact?: string
  error?: string
}
