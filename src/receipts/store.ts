import { swapRefs } from '../git/cas'
import { importCommits } from '../git/fast-import'
import { notesChanges, readNotes } from '../git/notes'
import { refStoreOf } from '../git/ref-store'
import { readRef } from '../git/refs'
import type { RefStore, RefTxOp } from '../types/git'
import type { LogPruneReport, RunLogRead } from '../types/log'
import type { Receipt, ReceiptEntry } from '../types/receipt'
import { LOGS_REF } from './log-format'
import { type LogBlob, attachLogs, logChanges, pruneLogs, readRunLogs } from './logs-ref'
import { parseReceipts } from './receipt'

export interface ReceiptRead {
  receipts: Receipt[]
  /** Lines that could not be read, with the commit they are on. */
  invalid: { sha: string; line: string }[]
  /** The notes commit they were read from (`null`: no receipts yet). */
  tip: string | null
}

export type { ReceiptEntry } from '../types/receipt'

export interface ReceiptStoreOptions {
  /** The repository. */
  cwd: string
  /** The notes ref receipts are appended to (`receipts.ref`). */
  ref: string
  /** Where the refs are decided (default: the repository itself; with a `remote`, that remote). */
  refs?: RefStore
  /** Told of every receipt once it is in Git (the app fires `receipt:written` here). */
  onWritten?: (receipt: Receipt) => void | Promise<void>
}

/**
 * The one way receipts and run logs reach Git: a receipt is one JSON line appended to the note of its commit on
 * the receipts ref, and the log of a run that wrote output is a blob on `refs/gitvan/logs` that its receipt names.
 * Both refs move in one transaction, built by one fast-import. `append` is for runs nobody else can be doing
 * (manual runs); `publish` is for runs guarded by leases: the receipts go in together with `fence` (ref checks,
 * lease releases), all or nothing.
 */
export interface ReceiptStore {
  readonly ref: string
  /** Append entries by compare-and-swap, retried on top of concurrent writers: none is lost. Returns the receipts written (with `log`). */
  append: (entries: ReceiptEntry[]) => Promise<Receipt[]>
  /**
   * One attempt to append `entries` and apply `fence` atomically: the receipts written (with `log`), or `null` when
   * git refused (a ref moved, or a fence did not hold): nothing was written, and the caller decides what to try again.
   */
  publish: (entries: ReceiptEntry[], fence: RefTxOp[]) => Promise<Receipt[] | null>
  /** The receipts on the ref (all, or those on `shas`), in the order they were appended within a commit. */
  read: (shas?: string[]) => Promise<ReceiptRead>
  /** Whether the ref holds no receipt but this store's own since notes commit `tip` (as read by `read`). */
  unchangedSince: (tip: string | null) => Promise<boolean>
  /** Bring the local receipts and logs up to date with the ref store (a fetch over a remote; nothing locally). */
  sync: () => Promise<void>
  /** The log each receipt names, in order. */
  readLogs: (receipts: Receipt[]) => Promise<RunLogRead[]>
  /** Drop the logs of runs that started before `before`; receipts stay. */
  pruneLogs: (before: Date) => Promise<LogPruneReport>
}

const MESSAGE = 'GitVan receipts'
/** Notes commits of this store remembered with their parents: enough for the publishes between two reads. */
const OWN_COMMITS = 64

export function createReceiptStore(options: ReceiptStoreOptions): ReceiptStore {
  const { cwd, ref } = options
  const store = options.refs ?? refStoreOf(cwd)
  // Notes commit -> parent, for the commits this store wrote: a reader asks whether anyone else wrote since.
  const own = new Map<string, string | null>()
  const remember = (commit: string, parent: string | null) => {
    own.set(commit, parent)
    if (own.size > OWN_COMMITS) own.delete(own.keys().next().value!)
  }
  const written = async (entries: ReceiptEntry[]) => {
    const receipts = entries.map(entry => entry.receipt)
    for (const receipt of receipts) await options.onWritten?.(receipt)
    return receipts
  }
  /** The notes commit and, when there are logs, the logs commit, on top of `parents`, from one fast-import. */
  const commitsOn = async (entries: ReceiptEntry[], blobs: LogBlob[], [notes, logs]: (string | null)[]) => importCommits(cwd, [
    { parent: notes ?? null, message: MESSAGE, changes: await notesChanges(cwd, ref, notes ?? null, entries.map(toNote)) },
    ...(blobs.length > 0 ? [{ parent: logs ?? null, message: 'GitVan logs', changes: logChanges(blobs) }] : []),
  ])
  return {
    ref,
    async append(entries) {
      if (entries.length === 0) return []
      const { entries: named, blobs } = attachLogs(entries)
      await swapRefs(store, blobs.length > 0 ? [ref, LOGS_REF] : [ref], current => commitsOn(named, blobs, current), { what: blobs.length > 0 ? 'receipts and logs' : 'notes' })
      return written(named)
    },
    async publish(entries, fence) {
      const { entries: named, blobs } = attachLogs(entries)
      const refs = named.length === 0 ? [] : blobs.length > 0 ? [ref, LOGS_REF] : [ref]
      await store.sync(refs)
      const parents = await Promise.all(refs.map(name => readRef(cwd, name)))
      const commits = refs.length > 0 ? await commitsOn(named, blobs, parents) : []
      const ops: RefTxOp[] = [...refs.map((name, i) => ({ ref: name, oldValue: parents[i] ?? null, newValue: commits[i]! })), ...fence]
      if (!(await store.transaction(ops))) return null
      if (refs.length > 0) remember(commits[0]!, parents[0] ?? null)
      return written(named)
    },
    read: shas => readReceipts(cwd, ref, shas),
    async unchangedSince(tip) {
      let at = await readRef(cwd, ref)
      while (at !== tip && at !== null && own.has(at)) at = own.get(at)!
      return at === tip
    },
    sync: () => store.sync([ref, LOGS_REF]),
    readLogs: receipts => readRunLogs(cwd, receipts),
    pruneLogs: before => pruneLogs(store, before),
  }
}

/** The receipts on `ref` (all, or those of `shas`), newest run last within a commit. */
export async function readReceipts(cwd: string, ref: string, shas?: string[]): Promise<ReceiptRead> {
  const tip = await readRef(cwd, ref)
  const notes = await readNotes(cwd, ref, shas, { at: tip })
  const out: ReceiptRead = { receipts: [], invalid: [], tip }
  for (const [sha, note] of notes) {
    const { receipts, invalid } = parseReceipts(note)
    out.receipts.push(...receipts)
    out.invalid.push(...invalid.map(line => ({ sha, line })))
  }
  return out
}

function toNote(entry: ReceiptEntry) {
  return { object: entry.on ?? entry.receipt.sha, text: JSON.stringify(entry.receipt), mode: 'append' as const }
}
