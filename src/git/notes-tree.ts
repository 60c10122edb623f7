import type { CatFile } from '../types/git'
import { gitLayerError } from './error'
import { isOid } from './oid'

const FANOUT_DIR = /^[0-9a-f]{2}$/
const TREE_MODE = Buffer.from('40000')
const BLOB_MODE_PREFIX = Buffer.from('100')

/** A tree to read: its rev and the path to it; with wanted objects, those that can be under it. */
interface Level {
  rev: string
  prefix: string
  objects: string[] | null
}

/**
 * The notes in the tree of notes commit `commit`: object sha → note text. Notes live at `<sha>` or, once the
 * tree has grown, under fan-out directories (`ab/cdef…`, possibly deeper); any other entry is not a note.
 * Walks one tree level per round trip through `cat`, descending only where a wanted object can be. Looking up a
 * few notes in a large tree compares bytes in place: no string is made for the entries passed over, so the cost
 * of a lookup does not grow with the garbage of every note written so far.
 */
export async function readNotesTree(cwd: string, cat: CatFile, commit: string, objects: readonly string[] | null): Promise<Map<string, string>> {
  const oidBytes = commit.length / 2
  const blobs = new Map<string, string>()
  let level: Level[] = [{ rev: `${commit}^{tree}`, prefix: '', objects: objects && [...new Set(objects)] }]
  while (level.length > 0) {
    const trees = await Promise.all(level.map(tree => cat.read(tree.rev)))
    const next: Level[] = []
    trees.forEach((tree, i) => {
      const { prefix, objects: wanted } = level[i]!
      if (!tree) throw gitLayerError(cwd, `Notes commit ${commit} in ${cwd} has no readable tree at "${prefix}": point the notes ref at a notes commit`)
      if (wanted) findWanted(tree.content, oidBytes, prefix, wanted, blobs, next)
      else listAll(tree.content, oidBytes, prefix, blobs, next)
    })
    level = next
  }
  const found = [...blobs.keys()]
  const texts = await Promise.all(found.map(object => cat.readText(blobs.get(object)!)))
  return new Map(found.map((object, i) => [object, texts[i]!]))
}

/** Every note and fan-out directory of one tree. */
function listAll(content: Buffer, oidBytes: number, prefix: string, blobs: Map<string, string>, next: Level[]): void {
  forEachEntry(content, oidBytes, (modeAt, nameAt, nameEnd) => {
    const path = prefix + content.toString('latin1', nameAt, nameEnd)
    const oid = content.toString('hex', nameEnd + 1, nameEnd + 1 + oidBytes)
    if (isTree(content, modeAt, nameAt) && FANOUT_DIR.test(path.slice(prefix.length))) next.push({ rev: oid, prefix: path, objects: null })
    else if (isBlob(content, modeAt) && isOid(path)) blobs.set(path, oid)
  })
}

/** The wanted notes of one tree, and the fan-out directories that can hold the others (grouped per directory). */
function findWanted(content: Buffer, oidBytes: number, prefix: string, wanted: string[], blobs: Map<string, string>, next: Level[]): void {
  const names = wanted.map(object => Buffer.from(object.slice(prefix.length), 'latin1'))
  const dirs = new Map<string, string[]>()
  for (const object of wanted) {
    const dir = object.slice(prefix.length, prefix.length + 2)
    const list = dirs.get(dir)
    if (list) list.push(object)
    else dirs.set(dir, [object])
  }
  const rest = names[0]!.length
  forEachEntry(content, oidBytes, (modeAt, nameAt, nameEnd) => {
    const length = nameEnd - nameAt
    const oidAt = nameEnd + 1
    if (length === 2 && rest > 2 && isTree(content, modeAt, nameAt)) {
      const objects = dirs.get(content.toString('latin1', nameAt, nameEnd))
      if (objects) next.push({ rev: content.toString('hex', oidAt, oidAt + oidBytes), prefix: prefix + content.toString('latin1', nameAt, nameEnd), objects })
    } else if (length === rest && isBlob(content, modeAt)) {
      const i = names.findIndex(name => content.compare(name, 0, length, nameAt, nameEnd) === 0)
      if (i !== -1) blobs.set(wanted[i]!, content.toString('hex', oidAt, oidAt + oidBytes))
    }
  })
}

/** Walks a raw tree object (`<mode> SP <name> NUL <binary oid>` repeated), giving offsets only. */
function forEachEntry(content: Buffer, oidBytes: number, visit: (modeAt: number, nameAt: number, nameEnd: number) => void): void {
  let pos = 0
  while (pos < content.length) {
    const space = content.indexOf(0x20, pos)
    const nul = content.indexOf(0, space)
    visit(pos, space + 1, nul)
    pos = nul + 1 + oidBytes
  }
}

function isTree(content: Buffer, modeAt: number, nameAt: number): boolean {
  return nameAt - 1 - modeAt === TREE_MODE.length && content.compare(TREE_MODE, 0, TREE_MODE.length, modeAt, nameAt - 1) === 0
}

function isBlob(content: Buffer, modeAt: number): boolean {
  return content.compare(BLOB_MODE_PREFIX, 0, BLOB_MODE_PREFIX.length, modeAt, modeAt + BLOB_MODE_PREFIX.length) === 0
}
