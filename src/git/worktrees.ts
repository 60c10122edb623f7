import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'pathe'
import type { WorktreeEntry } from '../types/git'
import { gitLayerError } from './error'
import { ZERO_OID } from './oid'
import { git } from './command'

/**
 * Every worktree of the repository containing `cwd` from `git worktree list --porcelain -z` (NUL-separated, so
 * any path is safe): the main one first, then the linked ones by id, the name of their admin dir under
 * `<common>/worktrees/` (git lists those in directory order, which differs between file systems).
 */
export async function listWorktrees(cwd: string): Promise<WorktreeEntry[]> {
  const [listing, commonDir] = await Promise.all([
    git(['worktree', 'list', '--porcelain', '-z'], { cwd }),
    git(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd }),
  ])
  const ids = await linkedWorktreeIds(commonDir)
  const [main, ...linked] = parseRecords(listing).map(toEntry)
  return [{ ...main!, id: 'main' }, ...linked.map((entry) => {
    const id = ids.get(resolve(entry.path))
    if (!id) throw gitLayerError(cwd, `Worktree ${entry.path} has no admin dir under ${commonDir}/worktrees in ${cwd}: run \`git worktree repair\``)
    return { ...entry, id }
  }).sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)]
}

/** Worktree path → id, read from each admin dir's `gitdir` file (which points at `<worktree>/.git`). */
async function linkedWorktreeIds(commonDir: string): Promise<Map<string, string>> {
  const adminRoot = join(commonDir, 'worktrees')
  const ids = await readdir(adminRoot).catch(() => [] as string[])
  const pairs = await Promise.all(ids.map(async (id) => {
    const gitdir = await readFile(join(adminRoot, id, 'gitdir'), 'utf8').catch(() => null)
    // The same derivation git uses for the listed path: the `gitdir` file's target without its `/.git`.
    return gitdir === null ? [] : [[resolve(adminRoot, id, gitdir.trim().replace(/\/\.git$/, '')), id] as const]
  }))
  return new Map(pairs.flat())
}

/** Records are NUL-terminated `key value` attributes, each record ended by an empty one. */
function parseRecords(listing: string): Map<string, string>[] {
  const records: Map<string, string>[] = []
  let current = new Map<string, string>()
  for (const attribute of listing.split('\0')) {
    if (attribute === '') {
      if (current.size > 0) records.push(current)
      current = new Map()
      continue
    }
    const space = attribute.indexOf(' ')
    current.set(space === -1 ? attribute : attribute.slice(0, space), space === -1 ? '' : attribute.slice(space + 1))
  }
  return records
}

function toEntry(fields: Map<string, string>): Omit<WorktreeEntry, 'id'> {
  const head = fields.get('HEAD')
  const branch = fields.get('branch')
  return {
    path: fields.get('worktree')!,
    head: head && head !== ZERO_OID ? head : null,
    branch: branch ? branch.replace(/^refs\/heads\//, '') : null,
    bare: fields.has('bare'),
    detached: fields.has('detached'),
    locked: fields.get('locked') ?? false,
    prunable: fields.get('prunable') ?? false,
  }
}
