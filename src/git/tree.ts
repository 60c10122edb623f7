import type { TreeEntry } from '../types/git'
import { runGit } from './command'

export interface ListTreeOptions {
  /** Walk into subtrees and list blobs only (`-r`). */
  recursive?: boolean
  /** Only these paths (and what is under them). */
  paths?: string[]
}

/** The entries of tree-ish `treeish` (`<commit>`, `<commit>:<dir>`) with blob sizes, in one `git ls-tree`. */
export async function listTree(cwd: string, treeish: string, options: ListTreeOptions = {}): Promise<TreeEntry[]> {
  const args = ['ls-tree', '-z', '-l', ...(options.recursive ? ['-r'] : []), '--end-of-options', treeish, ...(options.paths ? ['--', ...options.paths] : [])]
  const { stdout } = await runGit(args, { cwd })
  return stdout.split('\0').filter(Boolean).map((record) => {
    // `<mode> SP <type> SP <oid> SP+ <size or -> TAB <path>`: the path is everything after the tab.
    const tab = record.indexOf('\t')
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/) as [string, TreeEntry['type'], string, string]
    return { mode, type, oid, ...(size === '-' ? {} : { size: Number(size) }), path: record.slice(tab + 1) }
  })
}
