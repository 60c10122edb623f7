import picomatch from 'picomatch'
import { defineGitVanCommand } from '../command'
import { git } from '../../git/command'
import { readReceipts } from '../../receipts/store'
import type { Receipt, ReceiptStatus } from '../../types/receipt'
import { parseSince } from '../../utils/duration'
import { alignColumns, colorStatus, colors, describeTrigger } from '../format'
import { LOGS_REF } from '../../receipts/log-format'
import { commonArgs, fetchForReading, withApp } from '../shared'

const STATUSES: ReceiptStatus[] = ['ok', 'error', 'timeout', 'skipped', 'cancelled']

export default defineGitVanCommand({
  meta: { name: 'log', description: 'Show receipts of runs, newest first' },
  args: {
    id: { type: 'positional', required: false, description: 'Only this job (an id or a glob, like --job)' },
    job: { type: 'string', description: 'Only jobs matching this glob (docs:*, {docs,release}:*)', valueHint: 'glob' },
    status: { type: 'string', description: `Only these statuses, comma-separated (${STATUSES.join(', ')})`, valueHint: 'list' },
    branch: { type: 'string', description: 'Only runs for a branch matching this glob (commit and branch triggers)', valueHint: 'glob' },
    since: { type: 'string', description: 'Only runs started since a date (2026-11-01) or for a duration (30d, 12h)', valueHint: 'when' },
    sha: { type: 'string', description: 'Only runs on this commit (any revision)', valueHint: 'rev' },
    limit: { type: 'string', description: 'At most this many receipts (default 20)', valueHint: 'n' },
    json: { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const limit = args.limit === undefined ? 20 : Number(args.limit)
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a whole number of 1 or more, got "${args.limit}"`)
    const keep = receiptFilter(args)
    return withApp(args, async (app) => {
      const cwd = app.repo.root
      await fetchForReading(app, [app.options.receipts.ref, LOGS_REF])
      const shas = args.sha ? [await git(['rev-parse', '--verify', '--end-of-options', `${args.sha}^{commit}`], { cwd })] : undefined
      const { receipts, invalid } = await readReceipts(cwd, app.options.receipts.ref, shas)
      const rows = receipts
        .filter(keep)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, limit)
      for (const { sha, line } of invalid) console.error(`gitvan: skipped an unreadable receipt line on ${sha.slice(0, 7)}: ${line.slice(0, 80)}`)
      if (args.json) {
        console.log(JSON.stringify(rows, null, 2))
        return
      }
      if (rows.length === 0) {
        console.log(receipts.length === 0 ? 'No receipts yet: run a job with `gitvan run <id>` or start `gitvan daemon`.' : 'No receipts match these filters.')
        return
      }
      for (const line of alignColumns(rows.map(receipt => [
        { text: receipt.startedAt, color: colors.dim },
        { text: receipt.sha.slice(0, 7), color: colors.yellow },
        { text: receipt.status, color: text => colorStatus(receipt.status, text) },
        { text: receipt.job, color: colors.bold },
        { text: `${receipt.durationMs}ms`, right: true },
        { text: describeTrigger(receipt.trigger) },
        ...(receipt.error ? [{ text: receipt.error, color: colors.red }] : []),
      ]))) console.log(line)
    })
  },
})

/** The receipts the flags ask for; a flag that does not parse is a one-line error naming it and what it takes. */
function receiptFilter(args: { id?: string; job?: string; status?: string; branch?: string; since?: string }): (receipt: Receipt) => boolean {
  if (args.id && args.job) throw new Error(`Give the job once: as an argument ("${args.id}") or as --job ("${args.job}"), not both`)
  const jobGlob = args.id ?? args.job
  const job = jobGlob === undefined ? undefined : picomatch(jobGlob)
  const statuses = args.status === undefined ? undefined : args.status.split(',').map(status => status.trim())
  const unknown = statuses?.find(status => !(STATUSES as string[]).includes(status))
  if (unknown !== undefined) throw new Error(`--status takes ${STATUSES.join(', ')} (comma-separated), got "${unknown}"`)
  const branch = args.branch === undefined ? undefined : picomatch(args.branch)
  const since = args.since === undefined ? undefined : parseSince(args.since)
  if (args.since !== undefined && !since) throw new Error(`--since takes a date (2026-11-01, 2026-11-01T12:00Z) or a duration (30d, 12h, 90m), got "${args.since}"`)
  return (receipt) => {
    const ranOn = branchOf(receipt)
    return (!job || job(receipt.job))
      && (!statuses || statuses.includes(receipt.status))
      && (!branch || (ranOn !== undefined && branch(ranOn)))
      && (!since || Date.parse(receipt.startedAt) >= since.getTime())
  }
}

/** The branch a run was for: commit and branch triggers name one. */
function branchOf(receipt: Receipt): string | undefined {
  const { trigger } = receipt
  return trigger.type === 'commit' ? trigger.branch ?? undefined : trigger.type === 'branch' ? trigger.branch : undefined
}
