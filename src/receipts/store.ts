import { buildNotesCommit, readNotes, writeNotes } from '../git/notes'
import { refTransaction } from '../git/refs'
import type { RefTxOp } from '../types/git'
import type { Receipt } from '../types/receipt'
import { parseReceipts } from './receipt'

export interface ReceiptRead {
  receipts: Receipt[]
  /** Lines that could not be read, with the commit they are on. */
  invalid: { sha: string; line: string }[]
}

/** A receipt on its way to Git. */
export interface ReceiptEntry {
  receipt: Receipt
  /** The commit whose note holds it (default `receipt.sha`): a schedule slot's anchor, for schedule runs. */
  on?: string
}

export interface ReceiptStoreOptions {
  /** The repository. */
  cwd: string
  /** The notes ref receipts are appended to (`receipts.ref`). */
  ref: string
  /** Told of every receipt once it is in Git (the app fires `receipt:written` here). */
  onWritten?: (receipt: Receipt) => void | Promise<void>
}

/**
 * The one way receipts reach Git: a receipt is one JSON line appended to the note of its commit on the receipts
 * ref. `append` is for runs nobody else can be doing (manual runs); `publish` is for runs guarded by leases: the
 * receipts go in together with `fence` (ref checks, lease releases) in one all-or-nothing transaction.
 */
export interface ReceiptStore {
  readonly ref: string
  /** Append receipts by compare-and-swap, retried on top of concurrent writers: none is lost. */
  append: (receipts: Receipt[]) => Promise<void>
  /**
   * One attempt to append `receipts` and apply `fence` atomically. `false` when git refused (the notes ref moved,
   * or a fence did not hold): nothing was written, and the caller decides what to try again.
   */
  publish: (entries: ReceiptEntry[], fence: RefTxOp[]) => Promise<boolean>
  /** The receipts on the ref (all, or those on `shas`), in the order they were appended within a commit. */
  read: (shas?: string[]) => Promise<ReceiptRead>
}

export function createReceiptStore(options: ReceiptStoreOptions): ReceiptStore {
  const { cwd, ref } = options
  const written = async (receipts: Receipt[]) => {
    for (const receipt of receipts) await options.onWritten?.(receipt)
  }
  return {
    ref,
    async append(receipts) {
      if (receipts.length === 0) return
      await writeNotes(cwd, ref, receipts.map(receipt => toNote({ receipt })), { message: 'GitVan receipts' })
      await written(receipts)
    },
    async publish(entries, fence) {
      const notes = entries.length > 0 ? await buildNotesCommit(cwd, ref, entries.map(toNote), { message: 'GitVan receipts' }) : undefined
      const ops: RefTxOp[] = [...(notes ? [{ ref, oldValue: notes.parent, newValue: notes.commit }] : []), ...fence]
      if (!(await refTransaction(cwd, ops))) return false
      await written(entries.map(entry => entry.receipt))
      return true
    },
    read: shas => readReceipts(cwd, ref, shas),
  }
}

/** The receipts on `ref` (all, or those of `shas`), newest run last within a commit. */
export async function readReceipts(cwd: string, ref: string, shas?: string[]): Promise<ReceiptRead> {
  const notes = await readNotes(cwd, ref, shas)
  const out: ReceiptRead = { receipts: [], invalid: [] }
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
