import type { RunLog, RunLogEntry } from '../types/log'
import type { Receipt } from '../types/receipt'

/** The ref whose tree holds every kept log, by the time its run started: `YYYY-MM-DD/HH/HHMMSS.mmm-<blob id>`. */
export const LOGS_REF = 'refs/gitvan/logs'

/** The first line of a stored log: what it is and which run it belongs to, so the blob reads on its own. */
export interface RunLogHeader {
  v: 1
  job: string
  sha: string
  startedAt: string
}

const STARTED_AT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/

/** A stored log: JSON lines, the header first, then one entry per line (see docs/concepts/receipts.md#logs). */
export function encodeRunLog(receipt: Pick<Receipt, 'job' | 'sha' | 'startedAt'>, log: RunLog): string {
  const header: RunLogHeader = { v: 1, job: receipt.job, sha: receipt.sha, startedAt: receipt.startedAt }
  return `${[header, ...log.entries].map(line => JSON.stringify(line)).join('\n')}\n`
}

/** Read a stored log back; throws a one-line error naming the line that is not part of a log. */
export function decodeRunLog(text: string): { header: RunLogHeader; log: RunLog } {
  const lines = text.split('\n').filter(line => line !== '')
  const values = lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>
    } catch {
      throw new Error(`line ${i + 1} is not JSON: ${line.slice(0, 80)}`)
    }
  })
  const header = values[0] as unknown as RunLogHeader | undefined
  if (header?.v !== 1) throw new Error(`it does not start with a version 1 header: ${(lines[0] ?? '').slice(0, 80)}`)
  const bad = values.findIndex((entry, i) => i > 0 && !isEntry(entry))
  if (bad !== -1) throw new Error(`line ${bad + 1} is not a log entry: ${lines[bad]!.slice(0, 80)}`)
  return { header, log: { entries: values.slice(1) as unknown as RunLogEntry[] } }
}

/**
 * Where the log `oid` of a run that started at `startedAt` (an ISO time in UTC) lives in the logs tree: a folder
 * per day and hour, the start time in the name (`2026-11-24/00/005932.309-<oid>`), so pruning drops whole days and
 * hours and, in the hour it cuts, the logs before the cut. `undefined` for a time that is not an ISO time in UTC.
 */
export function logPath(startedAt: string, oid: string): string | undefined {
  const match = STARTED_AT.exec(startedAt)
  return match ? `${match[1]}/${match[2]}/${match[2]}${match[3]}${match[4]}.${match[5]}-${oid}` : undefined
}

/** The start time a log's name in its hour folder holds (`005932.309-<oid>` in `2026-11-24/00`), in ms; NaN when it has none. */
export function logTime(day: string, name: string): number {
  const match = /^(\d{2})(\d{2})(\d{2})\.(\d{3})-/.exec(name)
  return match ? Date.parse(`${day}T${match[1]}:${match[2]}:${match[3]}.${match[4]}Z`) : Number.NaN
}

function isEntry(value: Record<string, unknown>): boolean {
  if (typeof value?.t !== 'number') return false
  if (typeof value.step === 'string') return true
  if (typeof value.out === 'string' || typeof value.err === 'string') return true
  return typeof value.cut === 'object' && value.cut !== null
}
