import { createCatFile } from '../git/cat-file'
import { parseCommitObject } from '../git/commit-object'
import { diffNoteBlobs, listNoteBlobs } from '../git/notes-diff'
import { isOid } from '../git/oid'
import { readRef } from '../git/refs'
import type { CommitSummary, NoteBlob } from '../types/git'
import type { IndexedRun, ReceiptIndex } from '../types/receipt'
import { attemptKey, parseReceipts } from './receipt'

export interface ReceiptIndexOptions {
  /** The repository (a worktree, a bare repository or a mirror). */
  cwd: string
  /** The notes ref receipts are on (`receipts.ref`). */
  ref: string
}

/**
 * Every receipt on the receipts ref, in memory, kept up to date incrementally: `refresh` compares the ref with
 * the notes commit indexed last and reads only the notes that changed since (`git diff-tree` between the two),
 * so its cost follows the new receipts, not the history. The commits the runs were for are read once each.
 */
export function createReceiptIndex(options: ReceiptIndexOptions): ReceiptIndex {
  const { cwd, ref } = options
  const cat = createCatFile(cwd)
  const notes = new Map<string, { runs: IndexedRun[]; invalid: string[] }>()
  const commits = new Map<string, CommitSummary | null>()
  let tip: string | null = null
  let sorted: IndexedRun[] = []
  let queue: Promise<unknown> = Promise.resolve()

  async function update(): Promise<string[]> {
    const next = await readRef(cwd, ref)
    if (next === tip) return []
    const changes = next === null ? [...notes.keys()].map(object => ({ object, blob: null })) : await changedNotes(tip, next)
    const texts = await Promise.all(changes.map(change => change.blob ? cat.readText(change.blob) : null))
    changes.forEach((change, i) => {
      const text = texts[i]
      if (text === null || text === undefined) return void notes.delete(change.object)
      const { receipts, invalid } = parseReceipts(text)
      const attempts = new Map<string, number>()
      const runs = receipts.map((receipt, position) => {
        // Attempts count per pair: the job and what its run settles (the commit, a tag, a branch, a slot).
        const pair = `${receipt.job}\0${attemptKey(receipt)}`
        const attempt = (attempts.get(pair) ?? 0) + 1
        attempts.set(pair, attempt)
        return { ...receipt, note: change.object, attempt, position: position + 1 }
      })
      notes.set(change.object, { runs, invalid })
    })
    await readCommits(changes.flatMap(change => notes.get(change.object)?.runs.map(run => run.sha) ?? []))
    tip = next
    // Sorted once per change, here rather than on the next request: newest start first.
    sorted = [...notes.values()].flatMap(note => note.runs).sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    return changes.map(change => change.object)
  }

  /** Subject and author of the commits runs were for, read once each. */
  async function readCommits(shas: string[]): Promise<void> {
    const unknown = [...new Set(shas)].filter(sha => isOid(sha) && !commits.has(sha))
    const objects = await Promise.all(unknown.map(sha => cat.read(sha)))
    unknown.forEach((sha, i) => commits.set(sha, objects[i]?.type === 'commit' ? parseCommitObject(sha, objects[i].content) : null))
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
      return sorted
    },
    runsOf: object => notes.get(object)?.runs ?? [],
    commit: sha => commits.get(sha) ?? null,
    invalid: () => [...notes].flatMap(([object, note]) => note.invalid.map(line => ({ note: object, line }))),
    refresh() {
      // One refresh at a time: a caller arriving meanwhile waits for it, then looks again.
      const run = queue.then(update)
      queue = run.catch(() => {})
      return run
    },
    close: () => cat.close(),
  }
}
