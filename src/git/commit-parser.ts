import type { ChangedPath, CommitInfo, FileStatus } from '../types/git'

/** `git log` format: one NUL-terminated field each, in this order. */
export const COMMIT_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%s%x00%b'
const FIELDS = 8
/** A `--name-status` status (`M`, `R100`, …); git puts a newline before a commit's first one. */
const STATUS = /^\n?([ACDMRTUX])\d*$/

/**
 * Incremental parser of `git log -z --format=COMMIT_FORMAT [--name-status]` output: feed it chunks as they arrive.
 * After a commit's fields come its changed paths as `status NUL path NUL` (`status NUL from NUL to NUL` for
 * renames and copies); a token that is not a status starts the next commit (a sha is never a status).
 */
export class CommitParser {
  private readonly commits: CommitInfo[] = []
  private fields: string[] = []
  private file: { status: FileStatus; paths: string[]; need: number } | null = null
  private rest: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): void {
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk
    const last = data.lastIndexOf(0)
    if (last === -1) {
      this.rest = Buffer.from(data)
      return
    }
    // NUL never falls inside a UTF-8 character, so the complete tokens decode in one go (much faster than one
    // decode per token), and the unfinished last one waits for the next chunk.
    for (const token of data.toString('utf8', 0, last).split('\0')) this.token(token)
    this.rest = Buffer.from(data.subarray(last + 1))
  }

  /** The commits, once the output has ended; throws if it stopped in the middle of one. */
  end(): CommitInfo[] {
    if (this.rest.length > 0 || this.fields.length > 0 || this.file) throw new Error('git log output ended in the middle of a commit: run the scan again')
    return this.commits
  }

  private token(token: string): void {
    if (this.file) {
      this.file.paths.push(token)
      if (this.file.paths.length === this.file.need) this.addFile()
      return
    }
    const status = this.fields.length === 0 && this.commits.length > 0 ? STATUS.exec(token) : null
    if (status) {
      const code = status[1] as FileStatus
      this.file = { status: code, paths: [], need: code === 'R' || code === 'C' ? 2 : 1 }
      return
    }
    this.fields.push(token)
    if (this.fields.length === FIELDS) this.addCommit()
  }

  private addCommit(): void {
    const [sha, parents, name, email, authorTime, commitTime, subject, body] = this.fields as [string, string, string, string, string, string, string, string]
    this.fields = []
    this.commits.push({
      sha,
      parents: parents === '' ? [] : parents.split(' '),
      author: { name, email },
      authorTime: Number(authorTime),
      commitTime: Number(commitTime),
      subject,
      body: body.replace(/\n+$/, ''),
      files: [],
    })
  }

  private addFile(): void {
    const { status, paths } = this.file!
    this.file = null
    const change: ChangedPath = paths.length === 2 ? { status, from: paths[0], path: paths[1]! } : { status, path: paths[0]! }
    this.commits.at(-1)!.files.push(change)
  }
}
