import { readdir } from 'node:fs/promises'
import { join, relative } from 'pathe'
import type { JobFile } from '../types/job'

export const JOB_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const

/** Two files that claim one job id. */
export class DuplicateJobError extends Error {
  override name = 'DuplicateJobError'
}

/**
 * Map a path relative to a jobs dir to a job id: `docs/changelog.ts` -> `docs:changelog`,
 * `db/index.ts` -> `db`. `null` for files that are not jobs: `_` or `.` prefixed files and folders,
 * `*.test.*`, `*.spec.*`, `*.d.ts`, other extensions.
 */
export function jobIdFromPath(path: string): string | null {
  const ext = JOB_EXTENSIONS.find(e => path.endsWith(e))
  if (!ext || path.endsWith('.d.ts') || path.endsWith('.d.mts')) return null
  const segments = path.slice(0, -ext.length).split('/')
  if (segments.some(segment => segment === '' || segment.startsWith('_') || segment.startsWith('.'))) return null
  if (/\.(test|spec)$/.test(segments.at(-1)!)) return null
  if (segments.at(-1) === 'index') segments.pop()
  return segments.length > 0 ? segments.join(':') : null
}

/**
 * Find the jobs in `dirs`, sorted by id. Within one dir two files mapping to one id is an error;
 * across dirs the earlier dir wins (the project's own jobs dir comes first, plugin dirs after).
 */
export async function scanJobs(dirs: readonly string[]): Promise<JobFile[]> {
  const byId = new Map<string, JobFile>()
  for (const dir of dirs) {
    const seen = new Map<string, string>()
    for (const path of await listFiles(dir)) {
      const id = jobIdFromPath(path)
      if (!id) continue
      const file = join(dir, path)
      const other = seen.get(id)
      if (other) {
        throw new DuplicateJobError(`Job id "${id}" is defined twice: ${other} and ${file}; rename or remove one of them`)
      }
      seen.set(id, file)
      if (!byId.has(id)) byId.set(id, { id, file, dir })
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id))
}

/** Files below `dir` (relative, `/`-separated), skipping `_`/`.` folders and node_modules; none if `dir` is missing. */
export async function listFiles(dir: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  // One `relative` per folder, not per file: listing a jobs dir is on every command's path.
  const folders = new Map<string, string>()
  const folderOf = (parent: string) => folders.get(parent) ?? folders.set(parent, relative(dir, parent)).get(parent)!
  return entries
    .filter(entry => entry.isFile())
    .map((entry) => {
      const folder = folderOf(entry.parentPath)
      return folder ? `${folder}/${entry.name}` : entry.name
    })
    .filter(path => !path.split('/').some(segment => segment === 'node_modules' || segment.startsWith('.')))
    .sort()
}
