import type { NoteBlob } from '../types/git'
import { assertOid, isOid } from './oid'
import { git } from './command'

/** Every note of notes commit `commit`, in one `git ls-tree`. */
export async function listNoteBlobs(cwd: string, commit: string): Promise<NoteBlob[]> {
  assertOid(cwd, commit, 'notes commit')
  const out = await git(['ls-tree', '-r', '-z', '--full-tree', commit], { cwd })
  // `<mode> SP <type> SP <blob> TAB <path>`, NUL-terminated.
  return out.split('\0').flatMap((entry) => {
    const tab = entry.indexOf('\t')
    const [, type, blob] = entry.slice(0, tab).split(' ')
    const object = noteObject(entry.slice(tab + 1))
    return type === 'blob' && object ? [{ object, blob: blob! }] : []
  })
}

/**
 * The notes added, changed or removed between notes commits `from` and `to`, in one `git diff-tree`: the cost
 * follows the size of the change, not of the notes. A note moved by a fan-out change counts as removed and added.
 */
export async function diffNoteBlobs(cwd: string, from: string, to: string): Promise<NoteBlob[]> {
  assertOid(cwd, from, 'notes commit')
  assertOid(cwd, to, 'notes commit')
  const out = await git(['diff-tree', '-r', '-z', '--no-renames', '--no-ext-diff', from, to], { cwd })
  // `:<mode> <mode> <old> <new> <status>` NUL `<path>` NUL, repeated.
  const tokens = out.split('\0')
  const changes = new Map<string, string | null>()
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const [, , , blob, status] = tokens[i]!.split(' ')
    const object = noteObject(tokens[i + 1]!)
    if (!object) continue
    if (status === 'D') {
      if (!changes.has(object)) changes.set(object, null)
    } else {
      changes.set(object, blob!)
    }
  }
  return [...changes].map(([object, blob]) => ({ object, blob }))
}

/** The object a note path is about: `<sha>` or fanned out as `ab/cdef…`; `null` for any other file. */
function noteObject(path: string): string | null {
  const object = path.replaceAll('/', '')
  return isOid(object) ? object : null
}
