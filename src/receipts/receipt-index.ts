import { createCatFile } from '../git/cat-file'
import { parseCommitObject } from '../git/commit-object'
import { diffNoteBlobs, listNoteBlobs } from '../git/notes-diff'
import { readRef } from '../git/refs'
import type { CommitSummary, NoteBlob } from '../types/git'
import type { IndexedRun, ReceiptIndex } from '../types/receipt'
import { parseReceipts, receiptKey } from './receipt'

export interface ReceiptIndexOptions {
  /** The repository (a worktree, a bare repository or a mirror). */
  cwd: string
  /** The notes ref receipts are on (`receipts.ref`). */
  ref: string
}

/**
 * Every receipt on the receipts ref, in memory, kept up to date incrementally: `refresh` compares the ref with
 * the notes commit indexed last and reads only the notes that changed since (`git diff-tree` between the two),
 * so its cost follows the new receipts, not the history. The commits the receipts are about are read once each.
 */
export function createReceiptIndex(options: ReceiptIndexOptions): ReceiptIndex {
  const { cwd, ref } = options
  const cat = createCatFile(cwd)
  const notes = new Map<string, { runs: IndexedRun[]; invalid: string[] }>()
  const commits = new Map<string, CommitSummary | null>()
  let tip: string | null = null
  let sorted: IndexedRun[] | null = []
  let queue: Promise<unknown> = Promise.resolve()

  async function update(): Promise<string[]> {
    const next = await readRef(cwd, ref)
    if (next === tip) return []
    const changes = next === null ? [...notes.keys()].map(object => ({ object, blob: null })) : await changedNotes(tip, next)
    const texts = await Promise.all(changes.map(change => change.blob ? cat.readText(change.blob) : null))
    const unknown = changes.filter(change => change.blob && !commits.has(change.object)).map(change => change.object)
    const objects = await Promise.all(unknown.map(sha => cat.read(sha)))
    unknown.forEach((sha, i) => commits.set(sha, objects[i]?.type === 'commit' ? parseCommitObject(sha, objects[i].content) : null))
    changes.forEach((change, i) => {
      const text = texts[i]
      if (text === null || text === undefined) return void notes.delete(change.object)
      const { receipts, invalid } = parseReceipts(text)
      const attempts = new Map<string, number>()
      const runs = receipts.map((receipt, i) => {
        // Attempts count per pair: the job and what its run settles (the commit, a tag, a branch, a slot).
        const pair = `${receipt.job}\0${receiptKey(receipt) ?? receipt.trigger?.type}`
        const attempt = (attempts.get(pair) ?? 0) + 1
        attempts.set(pair, attempt)
        return { ...receipt, sha: change.object, attempt, position: i + 1 }
      })
      notes.set(change.object, { runs, invalid })
    })
    tip = next
    sorted = null
    return changes.map(change => change.object)
  }

  /** The notes that differ from what is indexed: a diff when the old commit is still there, else all of them. */
  async function changedNotes(from: string | null, to: string): Promise<NoteBlob[]> {
    const diff = from && (await cat.exists(from)) ? await diffNoteBlobs(cwd, from, to) : null
    if (diff) return diff
    const all = await listNoteBlobs(cwd, to)
    const kept = new Set(all.map(note => note.object))
    return [...all, ...[...notes.keys()].filter(object => !kept.has(object)).map(object => ({ object, blob: null }))]
  }

  return {
    get tip() {
      return tip
    },
    get runs() {
      // Sorted again only after a change: newest start first.
      sorted ??= [...notes.values()].flatMap(note => note.runs).sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
      return sorted
    },
    runsOf: sha => notes.get(sha)?.runs ?? [],
    commit: sha => commits.get(sha) ?? null,
    invalid: () => [...notes].flatMap(([sha, note]) => note.invalid.map(line => ({ sha, line }))),
    refresh() {
      // One refresh at a time: a caller arriving meanwhile waits for it, then looks again.
      const run = queue.then(update)
      queue = run.catch(() => {})
      return run
    },
    close: () => cat.close(),
  }
}
