import { withCatFile } from '../git/cat-file'
import { swapRef } from '../git/cas'
import { fastImportData, importCommits } from '../git/fast-import'
import { blobOid } from '../git/oid'
import { readRef } from '../git/refs'
import { listTree } from '../git/tree'
import type { TreeEntry } from '../types/git'
import type { LogPruneReport, RunLogRead } from '../types/log'
import type { Receipt, RecordedRun } from '../types/receipt'
import { errorLine } from '../utils/messages'
import { LOGS_REF, decodeRunLog, encodeRunLog, logPath } from './log-format'

const HOUR = 3_600_000
const DAY = /^\d{4}-\d{2}-\d{2}$/
const HOUR_DIR = /^\d{2}$/

/** A log ready to be written: its place in the logs tree and its text. */
export interface LogBlob {
  path: string
  text: string
}

/**
 * Name the log of each run: its receipt gets `log`, the id of the blob its text will be (computed here, so the
 * receipt and the log go into Git in the same fast-import). Runs without output get no log and cost nothing.
 */
export function attachLogs(runs: RecordedRun[]): { receipts: Receipt[]; blobs: LogBlob[] } {
  const receipts: Receipt[] = []
  const blobs: LogBlob[] = []
  for (const { receipt, log } of runs) {
    const text = log && encodeRunLog(receipt, log)
    const oid = text && blobOid(text, receipt.sha)
    const path = oid && logPath(receipt.startedAt, oid)
    if (!path) {
      receipts.push(receipt)
      continue
    }
    receipts.push({ ...receipt, log: oid })
    blobs.push({ path, text: text! })
  }
  return { receipts, blobs }
}

/** The fast-import file commands adding `blobs` to the logs tree. */
export function logChanges(blobs: LogBlob[]): string[] {
  return blobs.flatMap(blob => [`M 100644 inline ${blob.path}\n`, fastImportData(blob.text)])
}

/** The log each receipt names, read from the logs ref (not from loose objects: a pruned log is gone). */
export async function readRunLogs(cwd: string, receipts: Receipt[]): Promise<RunLogRead[]> {
  const tip = receipts.some(receipt => receipt.log) ? await readRef(cwd, LOGS_REF) : null
  return withCatFile(cwd, cat => Promise.all(receipts.map(async (receipt): Promise<RunLogRead> => {
    if (!receipt.log) return { status: 'none' }
    const path = logPath(receipt.startedAt, receipt.log)
    const blob = tip && path ? await cat.read(`${tip}:${path}`) : null
    if (!blob) return { status: 'missing', oid: receipt.log }
    try {
      return { status: 'kept', oid: receipt.log, bytes: blob.size, log: decodeRunLog(blob.content.toString('utf8')).log }
    } catch (error) {
      return { status: 'unreadable', oid: receipt.log, reason: errorLine(error) }
    }
  })))
}

/**
 * Drop the logs of runs that started before `before` from the logs ref, by whole hours (an hour goes once it
 * ended before `before`) and whole days where it can. The ref is rewritten as a new root commit holding what is
 * left: history that still reached the old logs would keep them from `git gc`. Receipts are not touched. A
 * compare-and-swap, so logs written meanwhile are kept.
 */
export async function pruneLogs(cwd: string, before: Date): Promise<LogPruneReport> {
  const cutoff = Math.floor(before.getTime() / HOUR) * HOUR
  const empty: LogPruneReport = { before: new Date(cutoff).toISOString(), runs: 0, bytes: 0, folders: [] }
  const tip = await readRef(cwd, LOGS_REF)
  if (!tip || (await planPrune(cwd, tip, cutoff)).drop.length === 0) return empty
  let report = empty
  await swapRef(cwd, LOGS_REF, async (current) => {
    const plan = current ? await planPrune(cwd, current, cutoff) : { keep: [], drop: [] }
    const dropped = current && plan.drop.length > 0 ? await listTree(cwd, current, { recursive: true, paths: plan.drop }) : []
    report = { ...empty, runs: dropped.length, bytes: dropped.reduce((sum, entry) => sum + (entry.size ?? 0), 0), folders: plan.drop }
    const changes = plan.keep.map(entry => `M ${entry.mode} ${entry.oid} ${entry.path}\n`)
    const [commit] = await importCommits(cwd, [{ parent: null, message: `GitVan logs, pruned before ${empty.before}`, changes }])
    return commit!
  }, { what: 'logs' })
  return report
}

/** Which folders of the logs tree at `tip` to drop (their hour ended by `cutoff`) and which entries to keep. */
async function planPrune(cwd: string, tip: string, cutoff: number): Promise<{ keep: TreeEntry[]; drop: string[] }> {
  const keep: TreeEntry[] = []
  const drop: string[] = []
  for (const entry of await listTree(cwd, tip)) {
    const start = DAY.test(entry.path) && entry.type === 'tree' ? Date.parse(`${entry.path}T00:00:00Z`) : Number.NaN
    if (Number.isNaN(start) || start >= cutoff) keep.push(entry)
    else if (start + 24 * HOUR <= cutoff) drop.push(entry.path)
    else {
      for (const hour of await listTree(cwd, `${tip}:${entry.path}`)) {
        const old = HOUR_DIR.test(hour.path) && start + (Number(hour.path) + 1) * HOUR <= cutoff
        if (old) drop.push(`${entry.path}/${hour.path}`)
        else keep.push({ ...hour, path: `${entry.path}/${hour.path}` })
      }
    }
  }
  return { keep, drop }
}
