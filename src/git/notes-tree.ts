import type { CatFile } from '../types/git'
import { gitLayerError } from './error'
import { isOid } from './oid'

interface TreeEntry {
  mode: string
  name: string
  oid: string
}

const FANOUT_DIR = /^[0-9a-f]{2}$/

/**
 * The notes in the tree of notes commit `commit`: object sha → note text. Notes live at `<sha>` or, once the
 * tree has grown, under fan-out directories (`ab/cdef…`, possibly deeper); any other entry is not a note.
 * Walks one tree level per round trip through `cat`, descending only where a wanted object can be.
 */
export async function readNotesTree(cwd: string, cat: CatFile, commit: string, objects: readonly string[] | null): Promise<Map<string, string>> {
  const oidBytes = commit.length / 2
  // The fan-out directories that can lead to a wanted object: "ab", "abcd", ...
  const wantedDirs = objects && new Set(objects.flatMap(sha => Array.from({ length: sha.length / 2 - 1 }, (_, i) => sha.slice(0, 2 * i + 2))))
  const wanted = objects && new Set(objects)
  const blobs = new Map<string, string>()
  let level = [{ rev: `${commit}^{tree}`, prefix: '' }]
  while (level.length > 0) {
    const trees = await Promise.all(level.map(tree => cat.read(tree.rev)))
    const next: typeof level = []
    trees.forEach((tree, i) => {
      if (!tree) throw gitLayerError(cwd, `Notes commit ${commit} in ${cwd} has no readable tree at "${level[i]!.prefix}": point the notes ref at a notes commit`)
      for (const entry of parseTree(tree.content, oidBytes)) {
        const path = level[i]!.prefix + entry.name
        if (entry.mode === '40000' && FANOUT_DIR.test(entry.name) && (!wantedDirs || wantedDirs.has(path))) next.push({ rev: entry.oid, prefix: path })
        else if (entry.mode.startsWith('100') && isOid(path) && (!wanted || wanted.has(path))) blobs.set(path, entry.oid)
      }
    })
    level = next
  }
  const objectsFound = [...blobs.keys()]
  const texts = await Promise.all(objectsFound.map(object => cat.readText(blobs.get(object)!)))
  return new Map(objectsFound.map((object, i) => [object, texts[i]!]))
}

/** Entries of a raw tree object: `<mode> SP <name> NUL <binary oid>` repeated. */
function parseTree(content: Buffer, oidBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = []
  let pos = 0
  while (pos < content.length) {
    const space = content.indexOf(0x20, pos)
    const nul = content.indexOf(0, space)
    entries.push({
      mode: content.toString('latin1', pos, space),
      name: content.toString('utf8', space + 1, nul),
      oid: content.toString('hex', nul + 1, nul + 1 + oidBytes),
    })
    pos = nul + 1 + oidBytes
  }
  return entries
}
