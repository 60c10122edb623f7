import { runGit } from './command'

export interface StatusEntry {
  /** Index (staged) status letter, `?` for untracked. */
  index: string
  /** Worktree status letter. */
  worktree: string
  path: string
  /** Original path of a rename or copy. */
  from?: string
}

/** `git status --porcelain=v1 -z`, parsed; untracked files included, ignored ones not. */
export async function readStatus(cwd: string): Promise<StatusEntry[]> {
  const { stdout } = await runGit(['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd })
  const fields = stdout.split('\0')
  const entries: StatusEntry[] = []
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (field.length < 4) continue
    const entry: StatusEntry = { index: field[0]!, worktree: field[1]!, path: field.slice(3) }
    // A rename or copy is followed by its source path as a field of its own.
    if (entry.index === 'R' || entry.index === 'C') entry.from = fields[++i]
    entries.push(entry)
  }
  return entries
}
