import type { ChangedPath, FileStatus } from '../types/git'
import { gitLayerError } from './error'
import { git } from './command'

/** Paths that differ between two revisions (`to` may be omitted: the worktree), renames detected, in one process. */
export async function diffPaths(cwd: string, from: string, to?: string): Promise<ChangedPath[]> {
  for (const rev of [from, to]) {
    if (rev !== undefined && (typeof rev !== 'string' || rev === '')) throw gitLayerError(cwd, `Invalid rev ${JSON.stringify(rev)} to diff in ${cwd}: pass a branch, tag or sha`)
  }
  const out = await git(['diff', '--name-status', '-z', '--find-renames', '--no-relative', '--no-color', '--end-of-options', from, ...(to ? [to] : []), '--'], { cwd })
  const tokens = out.split('\0')
  const paths: ChangedPath[] = []
  for (let i = 0; i < tokens.length - 1;) {
    const status = tokens[i++]!.charAt(0) as FileStatus
    if (status === 'R' || status === 'C') paths.push({ status, from: tokens[i++]!, path: tokens[i++]! })
    else paths.push({ status, path: tokens[i++]! })
  }
  return paths
}
