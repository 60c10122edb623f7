import { appendNote, readNotes } from '../git/notes'
import type { Receipt } from '../types/receipt'
import { parseReceipts } from './receipt'

/** Append a receipt to the note of its commit (compare-and-swap on the notes ref: concurrent runs lose none). */
export async function writeReceipt(cwd: string, ref: string, receipt: Receipt): Promise<void> {
  await appendNote(cwd, ref, receipt.sha, JSON.stringify(receipt))
}

export interface ReceiptRead {
  receipts: Receipt[]
  /** Lines that could not be read, with the commit they are on. */
  invalid: { sha: string; line: string }[]
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
