import { readFile as readFileFs } from 'node:fs/promises'
import { scanCommits } from '../git/commits'
import { diffPaths } from '../git/diff'
import { appendNote, readNote } from '../git/notes'
import { listRefs, readRef, updateRef } from '../git/refs'
import { git } from '../git/command'
import { readFileAt } from '../git/show'
import { readStatus } from '../git/status'
import { listWorktrees } from '../git/worktrees'
import type { ChangedPath, CommitInfo, RefEntry, RefOp, ScanOptions, WorktreeEntry } from '../types/git'
import { tempFilesJournal, writeFileAtomic } from '../utils/fs'
import { resolveInside } from '../utils/paths'
import type { StatusEntry } from '../git/status'
import { useGitVan } from '../context/use-gitvan'

export interface UseGit {
  /** Top level of the run's worktree; every path below is relative to it. */
  root: string
  /** The commit the run is for. */
  head: string | null
  branch: string | null
  /** Run git with an argument array in the worktree; returns stdout without the trailing newline. */
  run: (args: string[]) => Promise<string>
  status: () => Promise<StatusEntry[]>
  isClean: () => Promise<boolean>
  /** Commits of `revs` (default: the run's commit) in one git process, with changed paths. */
  commits: (revs?: string | string[], options?: ScanOptions) => Promise<CommitInfo[]>
  /** Paths changed between two revisions (`to` defaults to the run's commit). */
  changedPaths: (from: string, to?: string) => Promise<ChangedPath[]>
  /** A file's contents at a revision, `null` where it does not exist. */
  show: (path: string, rev?: string) => Promise<string | null>
  /** Read a file of the worktree; refuses paths leaving it. */
  readFile: (path: string) => Promise<string>
  /** Write a file of the worktree atomically; refuses paths leaving it. */
  writeFile: (path: string, content: string) => Promise<string>
  refs: {
    read: (ref: string) => Promise<string | null>
    list: (patterns: string | string[]) => Promise<RefEntry[]>
    /** Compare-and-swap; false when the ref was not at `oldValue`. */
    update: (op: RefOp) => Promise<boolean>
  }
  notes: {
    read: (object: string, ref?: string) => Promise<string | null>
    /** Append a line to an object's note without losing concurrent appends. */
    append: (object: string, text: string, ref?: string) => Promise<void>
  }
  worktrees: () => Promise<WorktreeEntry[]>
}

const DEFAULT_NOTES_REF = 'refs/notes/gitvan/notes'

/** Git for job code, bound to the run's worktree and commit. */
export function useGit(): UseGit {
  const ctx = useGitVan()
  const cwd = ctx.worktreeRoot
  const at = (rev?: string) => {
    const resolved = rev ?? ctx.head
    if (!resolved) throw new Error('The repository has no commit yet: make a first commit, or pass a revision')
    return resolved
  }
  return {
    root: cwd,
    head: ctx.head,
    branch: ctx.branch,
    run: args => git(args, { cwd }),
    status: () => readStatus(cwd),
    isClean: async () => (await readStatus(cwd)).length === 0,
    commits: async (revs, options) => scanCommits(cwd, revs ?? at(), options),
    changedPaths: async (from, to) => diffPaths(cwd, from, at(to)),
    show: async (path, rev) => readFileAt(cwd, at(rev), path),
    readFile: async path => readFileFs(resolveInside(cwd, path), 'utf8'),
    writeFile: async (path, content) => {
      const file = resolveInside(cwd, path)
      await writeFileAtomic(file, content, tempFilesJournal(ctx.app.repo.commonDir))
      return file
    },
    refs: {
      read: ref => readRef(cwd, ref),
      list: patterns => listRefs(cwd, patterns),
      update: op => updateRef(cwd, op),
    },
    notes: {
      read: (object, ref = DEFAULT_NOTES_REF) => readNote(cwd, ref, object),
      append: async (object, text, ref = DEFAULT_NOTES_REF) => {
        await appendNote(cwd, ref, object, text)
      },
    },
    worktrees: () => listWorktrees(cwd),
  }
}
