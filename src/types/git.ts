/** Options for one invocation of the `git` binary. */
export interface GitRunOptions {
  /** Working directory of the git process. */
  cwd: string
  /**
   * Extra environment variables. Variables that redirect git (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`,
   * `GIT_OBJECT_DIRECTORY`, `GIT_COMMON_DIR`, `GIT_CONFIG_*`) are scrubbed from the inherited environment;
   * setting them here is the only way to pass them on purpose.
   */
  env?: Record<string, string>
  /** Data written to the child's stdin. */
  input?: string | Buffer
  /** Exit codes that are not failures (for example `1` for `git show-ref --verify` of a missing ref). */
  okCodes?: number[]
  /** Kill git after this many milliseconds. */
  timeout?: number
}

export interface GitResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** What GitVan knows about the repository (and worktree) it runs in. */
export interface RepoInfo {
  /** Top-level directory of the current worktree. */
  root: string
  /** This worktree's git dir (`.git`, or `<common>/worktrees/<id>` for a linked worktree). */
  gitDir: string
  /** The repository's common dir, shared by all worktrees. */
  commonDir: string
  /** HEAD commit, `null` in an empty repository. */
  head: string | null
  /** Checked-out branch (short name), `null` when HEAD is detached. */
  branch: string | null
  /** `main` for the main worktree, else the linked worktree's name under `<common>/worktrees/`. */
  worktreeId: string
}

/** One operation of a compare-and-swap ref update. */
export interface RefOp {
  ref: string
  /** New value; omit (or `null`) to delete the ref. */
  newValue?: string | null
  /**
   * Expected current value: a sha, or `ZERO_OID` / `null` for "must not exist".
   * `undefined` means no check (avoid: it is last-writer-wins).
   */
  oldValue?: string | null
}

/** A transaction step that changes nothing but fails the whole transaction unless `ref` is at `verify`. */
export interface RefVerifyOp {
  ref: string
  /** Expected current value: a sha, or `null` / `ZERO_OID` for "must not exist". */
  verify: string | null
}

/** One step of an all-or-nothing `refTransaction`. */
export type RefTxOp = RefOp | RefVerifyOp

/** One compare-and-swap of a ref on a remote (`git push --force-with-lease=<ref>:<expected> <value>:<ref>`). */
export interface RemoteUpdate {
  ref: string
  /** The value to push; `null` deletes the ref. */
  value: string | null
  /** What the remote ref must be at: a sha, `null` for "must not exist", `undefined` for no check (forced). */
  expected?: string | null
}

/**
 * Where GitVan's refs are decided: the local repository (`update-ref` transactions), or a remote that every
 * machine pushes to (`git push --atomic --force-with-lease`), mirrored into the local repository. Readers read
 * local refs; `sync` brings the mirror up to date first. Writers go through `transaction` and `casEach`.
 */
export interface RefStore {
  /** The local repository: reads, objects, and the mirror of the remote's refs. */
  readonly cwd: string
  /** The remote coordinated through (a name or URL), `null` for the local repository alone. */
  readonly remote: string | null
  /**
   * Whether a transaction can check a ref without moving it (`verify` steps): only locally. Over a remote, fence
   * by moving the ref (a lease renewal) in the same transaction.
   */
  readonly verifies: boolean
  /**
   * Make the local values of `refs` (full names, prefixes ending in "/", or refspecs `+<src>:<dst>` taken as they
   * are) those of the store; with `tags`, fetch the remote's tags too (never pruned).
   */
  sync: (refs: readonly string[], options?: { tags?: boolean }) => Promise<void>
  /** All of `ops` or none, by compare-and-swap; `false` when an expectation did not hold (nothing changed). */
  transaction: (ops: RefTxOp[]) => Promise<boolean>
  /** Each of `ops` on its own, `true` for those that held; `contention` as in `casEach` (git/cas.ts). */
  casEach: (ops: RefOp[], contention: 'lose' | 'wait', options?: { until?: number }) => Promise<boolean[]>
  /** While the remote cannot be reached: since when (epoch ms); `null` when it answers (always locally). */
  unreachableSince: () => number | null
  /** When the remote last answered again after not answering (epoch ms, 0: never out of reach). */
  reconnectedAt: () => number
  /** Told when the remote stops answering and when it answers again; returns the function that stops telling. */
  onReachability: (listener: (reachable: boolean) => void) => () => void
}

export interface RefEntry {
  ref: string
  sha: string
}

export interface WorktreeEntry {
  /** Absolute path of the worktree. */
  path: string
  /** Checked-out commit, `null` for a worktree on an unborn branch. */
  head: string | null
  /** Short branch name, `null` when detached. */
  branch: string | null
  /** `main` for the main worktree, else its name under `<common>/worktrees/`. */
  id: string
  bare: boolean
  detached: boolean
  /** `false`, or the lock reason (`''` when locked without one). */
  locked: string | false
  /** `false`, or the reason git gives for it being prunable. */
  prunable: string | false
}

export type FileStatus = 'A' | 'M' | 'D' | 'R' | 'C' | 'T' | 'U' | 'X'

export interface ChangedPath {
  status: FileStatus
  path: string
  /** Source path for renames and copies. */
  from?: string
}

export interface CommitInfo {
  sha: string
  parents: string[]
  author: { name: string; email: string }
  /** Author time, seconds since the epoch. */
  authorTime: number
  /** Commit time, seconds since the epoch. */
  commitTime: number
  subject: string
  body: string
  /** Paths changed against the first parent (root commits: against the empty tree). */
  files: ChangedPath[]
}

export interface ScanOptions {
  /** Include changed paths (default true). */
  files?: boolean
  /** At most this many commits. */
  limit?: number
  /** Oldest first (default: newest first, like `git log`). */
  reverse?: boolean
  /** Only follow first parents. */
  firstParent?: boolean
}

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag'

export interface ObjectInfo {
  oid: string
  type: ObjectType
  /** Size of the content in bytes. */
  size: number
}

export interface GitObject extends ObjectInfo {
  content: Buffer
}

/** A reader of objects backed by one long-lived `git cat-file` process; requests are answered in order. */
export interface CatFile {
  /** Whether `rev` names an object. */
  exists(rev: string): Promise<boolean>
  /** Object id, type and size without reading the content; `null` when missing. */
  info(rev: string): Promise<ObjectInfo | null>
  /** The object with its raw content; `null` when missing. */
  read(rev: string): Promise<GitObject | null>
  /** The content decoded as UTF-8; `null` when missing. */
  readText(rev: string): Promise<string | null>
  /** End the process's input and wait for it to exit (a later request starts a new one). */
  close(): Promise<void>
}

export interface NoteEntry {
  /** Full sha of the annotated commit. */
  object: string
  /** Note text; a missing final newline is added. */
  text: string
  /** `append` (default) adds `text` as new line(s) after the existing note; `replace` drops the existing note. */
  mode?: 'append' | 'replace'
}

export interface NotesCommitOptions {
  /** Message of the notes commit. */
  message?: string
}

export interface WriteNotesOptions extends NotesCommitOptions {
  /** How many times to rebuild and retry when another writer moved the notes ref first. */
  retries?: number
}

export interface NotesCommit {
  /** The notes ref's value the commit was built on, `null` when the ref did not exist. */
  parent: string | null
  commit: string
}

/** One entry of a tree, as `git ls-tree -l` lists it. */
export interface TreeEntry {
  mode: string
  type: ObjectType
  oid: string
  /** Blob size in bytes; `undefined` for trees and submodules. */
  size?: number
  /** Relative to the listed tree. */
  path: string
}

/** Where a repository's git data is, for tools that only read it: a worktree, a bare repository or a mirror. */
export interface GitDirInfo {
  /** This worktree's git dir, or the bare repository itself. */
  gitDir: string
  /** The repository's common dir, shared by all worktrees. */
  commonDir: string
  /** Top-level directory of the worktree; `null` in a bare repository. */
  root: string | null
  bare: boolean
}

/** A note as a notes commit holds it: the annotated object and the blob of its text (`null`: the note is gone). */
export interface NoteBlob {
  object: string
  blob: string | null
}

/** What a page of runs shows of a commit, read from the raw commit object. */
export interface CommitSummary {
  sha: string
  subject: string
  author: { name: string; email: string }
  /** Author time, seconds since the epoch. */
  authorTime: number
}
