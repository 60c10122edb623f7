import type { Receipt, ReceiptStatus } from '../../src/types/receipt'

// No test-runner imports here.

/** A receipt as the daemon writes it, for `sha`; `fields` override (status sets `ok` to match). */
export function receiptFor(sha: string, job: string, fields: Partial<Receipt> & { status?: ReceiptStatus } = {}): Receipt {
  const status = fields.status ?? 'ok'
  const startedAt = fields.startedAt ?? new Date().toISOString()
  const durationMs = fields.durationMs ?? 12
  return {
    v: 1,
    job,
    sha,
    ok: status === 'ok' || status === 'skipped',
    status,
    trigger: { type: 'commit', sha, branch: 'main' },
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + durationMs).toISOString(),
    durationMs,
    worktree: 'main',
    host: 'test',
    pid: 4242,
    ...fields,
  }
}
