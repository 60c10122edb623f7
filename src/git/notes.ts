import { defu } from 'defu'
import type { CatFile, NoteEntry, NotesCommit, NotesCommitOptions, WriteNotesOptions } from '../types/git'
import { gitLayerError } from './error'
import { withCatFile } from './cat-file'
import { readNotesTree } from './notes-tree'
import { assertOid } from './oid'
import { assertRefName } from './ref-name'
import { readRef } from './refs'
import { runGit } from './command'
import { swapRef } from './cas'
import { fastImportData, importCommits } from './fast-import'

const DEFAULTS = { message: 'Notes added by GitVan', retries: 50 }

/** The note on `object` (any rev) in `notesRef`, exactly as stored; `null` when there is none. */
export async function readNote(cwd: string, notesRef: string, object: string): Promise<string | null> {
  assertNotesRef(cwd, notesRef)
  const { stdout, exitCode } = await runGit(['notes', `--ref=${notesRef}`, 'show', '--end-of-options', object], { cwd, okCodes: [0, 1] })
  return exitCode === 0 ? stdout : null
}

/** All notes in `notesRef` (object sha → text), or only those on `objects` (full shas), in two git processes. */
export async function readNotes(cwd: string, notesRef: string, objects?: string[], options: { at?: string | null } = {}): Promise<Map<string, string>> {
  assertNotesRef(cwd, notesRef)
  objects?.forEach(object => assertOid(cwd, object, `object in ${notesRef}`))
  const tip = options.at === undefined ? await readRef(cwd, notesRef) : options.at
  if (!tip || objects?.length === 0) return new Map()
  return withCatFile(cwd, cat => readNotesTree(cwd, cat, tip, objects ?? null))
}

/**
 * A new notes commit on top of `notesRef`'s current value with `entries` applied, in order (several entries
 * may target one commit), keeping every other note. Not published: move the ref with `updateRef` or inside a
 * `refTransaction` expecting `parent`. A constant number of git processes for any number of entries.
 */
export async function buildNotesCommit(cwd: string, notesRef: string, entries: NoteEntry[], options: NotesCommitOptions = {}): Promise<NotesCommit> {
  assertNotesRef(cwd, notesRef)
  assertEntries(cwd, notesRef, entries)
  const parent = await readRef(cwd, notesRef)
  return { parent, commit: await notesCommitOn(cwd, parent, entries, options) }
}

/** The notes commit with `entries` applied on top of notes commit `parent` (`null`: the first one). */
async function notesCommitOn(cwd: string, parent: string | null, entries: NoteEntry[], options: NotesCommitOptions): Promise<string> {
  const [commit] = await importCommits(cwd, [{ parent, message: defu(options, DEFAULTS).message, changes: await noteCommands(cwd, parent, entries) }])
  return commit!
}

/**
 * The fast-import file commands that apply `entries` on top of notes commit `parent` (`null`: the first one) of
 * `notesRef`: one `N inline` per touched note, carrying its full new text. fast-import keeps the parent's other
 * notes and balances the fan-out. For writers that put the notes commit in one fast-import with others
 * (`importCommits`) and publish it in their own transaction.
 */
export function notesChanges(cwd: string, notesRef: string, parent: string | null, entries: NoteEntry[]): Promise<string[]> {
  assertNotesRef(cwd, notesRef)
  assertEntries(cwd, notesRef, entries)
  return noteCommands(cwd, parent, entries)
}

async function noteCommands(cwd: string, parent: string | null, entries: NoteEntry[]): Promise<string[]> {
  const notes = await withCatFile(cwd, async (cat) => {
    await assertCommits(cwd, cat, entries)
    const appended = entries.filter(entry => entry.mode !== 'replace').map(entry => entry.object)
    const existing = parent && appended.length > 0 ? await readNotesTree(cwd, cat, parent, appended) : new Map<string, string>()
    return applyEntries(existing, entries)
  })
  return [...notes].flatMap(([object, text]) => [`N inline ${object}\n`, fastImportData(text)])
}

/**
 * Apply `entries` to `notesRef` and publish the result with a compare-and-swap, rebuilding on the new value and
 * retrying after a short jittered pause when another writer got there first: concurrent writers lose nothing.
 * Returns the new notes commit.
 */
export async function writeNotes(cwd: string, notesRef: string, entries: NoteEntry[], options: WriteNotesOptions = {}): Promise<string> {
  assertNotesRef(cwd, notesRef)
  assertEntries(cwd, notesRef, entries)
  const { retries, ...build } = defu(options, DEFAULTS)
  return swapRef(cwd, notesRef, parent => notesCommitOn(cwd, parent, entries, build), { retries, what: 'notes' })
}

/** Append `text` as new line(s) to the note on `object` (a full commit sha); returns the new notes commit. */
export function appendNote(cwd: string, notesRef: string, object: string, text: string): Promise<string> {
  return writeNotes(cwd, notesRef, [{ object, text, mode: 'append' }])
}

/** Notes refs must live under refs/notes/: `git notes` and `git log --notes` look for them nowhere else. */
function assertNotesRef(cwd: string, notesRef: string): void {
  assertRefName(cwd, notesRef, 'notes ref')
  if (!notesRef.startsWith('refs/notes/')) {
    throw gitLayerError(cwd, `Invalid notes ref "${notesRef}" in ${cwd}: notes refs live under refs/notes/ (e.g. refs/notes/gitvan)`)
  }
}

function assertEntries(cwd: string, notesRef: string, entries: NoteEntry[]): void {
  if (entries.length === 0) throw gitLayerError(cwd, `No note entries to write to ${notesRef} in ${cwd}: pass at least one { object, text }`)
  for (const { object, text, mode } of entries) {
    assertOid(cwd, object, `object of a note in ${notesRef}`)
    if (typeof text !== 'string' || text === '') {
      throw gitLayerError(cwd, `Empty note text for ${object} in ${notesRef} (${cwd}): pass the text to write`)
    }
    if (mode !== undefined && mode !== 'append' && mode !== 'replace') {
      throw gitLayerError(cwd, `Invalid note mode ${JSON.stringify(mode)} for ${object} in ${notesRef} (${cwd}): use "append" or "replace"`)
    }
  }
}

/** `git fast-import` only annotates commits: check up front for a clear error instead of a crash report. */
async function assertCommits(cwd: string, cat: CatFile, entries: NoteEntry[]): Promise<void> {
  const objects = [...new Set(entries.map(entry => entry.object))]
  const infos = await Promise.all(objects.map(object => cat.info(object)))
  infos.forEach((info, i) => {
    if (info?.type !== 'commit') {
      throw gitLayerError(cwd, `Cannot attach a note to ${objects[i]} in ${cwd}: ${info ? `it is a ${info.type}` : 'no such object'}; notes annotate existing commits`)
    }
  })
}

/** The final text of every touched note: appends add lines after the existing text, each note ends with "\n". */
function applyEntries(existing: Map<string, string>, entries: NoteEntry[]): Map<string, string> {
  const notes = new Map<string, string>()
  for (const { object, text, mode } of entries) {
    const before = mode === 'replace' ? '' : notes.get(object) ?? existing.get(object) ?? ''
    notes.set(object, withNewline(before) + withNewline(text))
  }
  return notes
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`
}
