import { withCatFile } from '../git/cat-file'
import { swapRef } from '../git/cas'
import { fastImportData, importCommits } from '../git/fast-import'
import { blobOid } from '../git/oid'
import { refStoreOf } from '../git/ref-store'
import { readRef } from '../git/refs'
import { listTree } from '../git/tree'
import type { RefStore, TreeEntry } from '../types/git'
import type { LogPruneReport, RunLogRead } from '../types/log'
import type { Receipt, ReceiptEntry } from '../types/receipt'
import { errorLine } from '../utils/messages'
import { LOGS_REF, decodeRunLog, encodeRunLog, logPath, logTime } from './log-format'

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
export function attachLogs(entries: ReceiptEntry[]): { entries: ReceiptEntry[]; blobs: LogBlob[] } {
  const blobs: LogBlob[] = []
  const named = entries.map((entry): ReceiptEntry => {
    const { receipt, log, on } = entry
    const text = log && encodeRunLog(receipt, log)
    const oid = text && blobOid(text, receipt.sha)
    const path = oid && logPath(receipt.startedAt, oid)
    if (!path) return { receipt, on }
    blobs.push({ path, text: text! })
    return { receipt: { ...receipt, log: oid }, on }
  })
  return { entries: named, blobs }
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
 * Drop the logs of runs that started before `before` from the logs ref: whole days and hours where they are all
 * older, single logs in the hour the cut falls in. The ref is rewritten as a new root commit holding what is
 * left: history that still reached the old logs would keep them from `git gc`. Receipts are not touched. A
 * compare-and-swap, so logs written meanwhile are kept.
 */
export async function pruneLogs(repo: string | RefStore, before: Date): Promise<LogPruneReport> {
  const store = refStoreOf(repo)
  const { cwd } = store
  await store.sync([LOGS_REF])
  const cutoff = before.getTime()
  const empty: LogPruneReport = { before: before.toISOString(), runs: 0, bytes: 0, paths: [] }
  const tip = await readRef(cwd, LOGS_REF)
  if (!tip || (await planPrune(cwd, tip, cutoff)).drop.length === 0) return empty
  let report = empty
  await swapRef(store, LOGS_REF, async (current) => {
    const plan = current ? await planPrune(cwd, current, cutoff) : { keep: [], drop: [] }
    const dropped = current && plan.drop.length > 0 ? await listTree(cwd, current, { recursive: true, paths: plan.drop }) : []
    report = { ...empty, runs: dropped.length, bytes: dropped.reduce((sum, entry) => sum + (entry.size ?? 0), 0), paths: plan.drop }
    const changes = plan.keep.map(entry => `M ${entry.mode} ${entry.oid} ${entry.path}\n`)
    const [commit] = await importCommits(cwd, [{ parent: null, message: `GitVan logs, pruned before ${empty.before}`, changes }])
    return commit!
  }, { what: 'logs' })
  return report
}

/**
 * What to drop from the logs tree at `tip` (paths of days, hours and single logs that started before `cutoff`)
 * and the entries to keep, as paths from the root. Entries that are not in the layout are kept.
 */
async function planPrune(cwd: string, tip: string, cutoff: number): Promise<{ keep: TreeEntry[]; drop: string[] }> {
  const keep: TreeEntry[] = []
  const drop: string[] = []
  /** Sort the entries of folder `dir` of the tree by the time span each covers: [start, end) in ms. */
  const sort = async (dir: string, span: (entry: TreeEntry) => [number, number]) => {
    for (const entry of await listTree(cwd, dir === '' ? tip : `${tip}:${dir}`)) {
      const path = dir === '' ? entry.path : `${dir}/${entry.path}`
      const [start, end] = span(entry)
      if (Number.isNaN(start) || start >= cutoff) keep.push({ ...entry, path })
      else if (end <= cutoff) drop.push(path)
      else await sort(path, child => spanOf(path, child))
    }
  }
  await sort('', entry => spanOf('', entry))
  return { keep, drop }
}

/** The times the logs under a tree entry started in: a day, an hour, or the one time of a log. NaN: not a log of ours. */
function spanOf(dir: string, entry: TreeEntry): [number, number] {
  if (dir === '' && entry.type === 'tree' && DAY.test(entry.path)) {
    const start = Date.parse(`${entry.path}T00:00:00Z`)
    return [start, start + 24 * HOUR]
  }
  if (DAY.test(dir) && entry.type === 'tree' && HOUR_DIR.test(entry.path)) {
    const start = Date.parse(`${dir}T${entry.path}:00:00Z`)
    return [start, start + HOUR]
  }
  const time = entry.type === 'blob' ? logTime(dir.slice(0, 10), entry.path) : Number.NaN
  return [time, time + 1]
}
