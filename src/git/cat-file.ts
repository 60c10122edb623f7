import type { Socket } from 'node:net'
import type { CatFile, GitObject, ObjectInfo, ObjectType } from '../types/git'
import { GitError, gitLayerError } from './error'
import { spawnError, spawnGit } from './command'

// `--batch-command` is `--batch` plus an `info` command, so existence checks never read a large blob's content.
const ARGS = ['cat-file', '--batch-command']
const FOUND = /^([0-9a-f]{40}|[0-9a-f]{64}) (blob|tree|commit|tag) (\d+)$/

interface Request {
  rev: string
  contents: boolean
  resolve: (value: GitObject | ObjectInfo | null) => void
  reject: (error: Error) => void
}

/**
 * A reader backed by ONE long-lived `git cat-file` process, started on first use: requests are pipelined and
 * answered in order. A crashed process fails its pending requests with a `GitError` and is restarted on the
 * next request. While idle it does not keep Node's event loop alive, so a CLI can exit without `close()`.
 */
export function createCatFile(cwd: string): CatFile {
  let batch: BatchProcess | null = null

  function request(rev: string, contents: boolean): Promise<GitObject | ObjectInfo | null> {
    if (typeof rev !== 'string' || rev === '' || /[\n\r\0]/.test(rev)) {
      return Promise.reject(gitLayerError(cwd, `Invalid rev ${JSON.stringify(rev)} for git cat-file in ${cwd}: pass a non-empty rev without newline, carriage return or NUL`))
    }
    if (!batch) {
      const started = new BatchProcess(cwd, () => { if (batch === started) batch = null })
      batch = started
    }
    return batch.send(rev, contents)
  }

  return {
    exists: async rev => (await request(rev, false)) !== null,
    info: rev => request(rev, false),
    read: rev => request(rev, true) as Promise<GitObject | null>,
    readText: async rev => (await request(rev, true) as GitObject | null)?.content.toString('utf8') ?? null,
    close: async () => {
      const current = batch
      batch = null
      await current?.close()
    },
  }
}

/** How long a shared reader stays up with nobody using it: a daemon's ticks keep it warm, a CLI's exit ends it. */
const SHARED_IDLE_MS = 2000
const shared = new Map<string, { cat: CatFile; users: number; timer?: NodeJS.Timeout }>()

/**
 * Run `fn` with the reader shared by everyone reading `cwd`'s objects in this process: one `git cat-file` serves
 * them all (requests are pipelined), started on first use and closed after a moment of idleness, instead of a
 * process per read. A long-lived reader sees objects and refs written after it started: git looks again on a miss.
 */
export async function withCatFile<T>(cwd: string, fn: (cat: CatFile) => Promise<T>): Promise<T> {
  let entry = shared.get(cwd)
  if (!entry) shared.set(cwd, entry = { cat: createCatFile(cwd), users: 0 })
  clearTimeout(entry.timer)
  entry.users++
  try {
    return await fn(entry.cat)
  } finally {
    const done = entry
    if (--done.users === 0) {
      done.timer = setTimeout(() => {
        if (shared.get(cwd) === done) shared.delete(cwd)
        void done.cat.close()
      }, SHARED_IDLE_MS)
      done.timer.unref()
    }
  }
}

/** One `git cat-file --batch-command` process and the parser of its answers. */
class BatchProcess {
  private readonly child
  private readonly queue: Request[] = []
  private readonly exited: Promise<void>
  private stderr = ''
  /** An unfinished header line. */
  private partial: Buffer = Buffer.alloc(0)
  /** The content being received for `queue[0]`: `size` bytes plus git's trailing LF. */
  private body: { info: ObjectInfo; data: Buffer; filled: number } | null = null

  constructor(private readonly cwd: string, onExit: () => void) {
    this.child = spawnGit(ARGS, { cwd })
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk))
    this.child.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString('utf8') })
    this.child.stdin.on('error', () => {}) // a dead process is reported through 'close'
    this.exited = new Promise((resolve) => {
      const end = (error: GitError) => {
        onExit()
        this.fail(error)
        resolve()
      }
      this.child.on('error', error => end(spawnError(ARGS, cwd, error)))
      this.child.on('close', code => end(new GitError(ARGS, code, this.stderr, cwd)))
    })
    this.keepAlive(false)
  }

  send(rev: string, contents: boolean): Promise<GitObject | ObjectInfo | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rev, contents, resolve, reject })
      if (this.queue.length === 1) this.keepAlive(true)
      this.child.stdin.write(`${contents ? 'contents' : 'info'} ${rev}\n`)
    })
  }

  async close(): Promise<void> {
    // Whoever awaits the exit needs the event loop kept alive until git is gone.
    this.keepAlive(true)
    this.child.stdin.end()
    await this.exited
  }

  /**
   * Hold the event loop open only while answers (or the exit) are awaited. The process handle counts too: once
   * a dying git has closed its pipes, only it keeps Node waiting for the exit that rejects the pending requests.
   */
  private keepAlive(alive: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as Socket[]) {
      if (alive) handle.ref()
      else handle.unref()
    }
  }

  private receive(chunk: Buffer): void {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk
    let pos = 0
    while (pos < data.length) {
      if (this.body) {
        const take = Math.min(this.body.data.length - this.body.filled, data.length - pos)
        data.copy(this.body.data, this.body.filled, pos, pos + take)
        this.body.filled += take
        pos += take
        if (this.body.filled === this.body.data.length) {
          const { info, data: bytes } = this.body
          this.body = null
          this.answer({ ...info, content: bytes.subarray(0, info.size) })
        }
        continue
      }
      const eol = data.indexOf(10, pos)
      if (eol === -1) break
      this.header(data.toString('utf8', pos, eol))
      pos = eol + 1
    }
    // Content is copied out as it arrives, so only an unfinished header line is ever kept.
    this.partial = Buffer.from(data.subarray(pos))
  }

  private header(line: string): void {
    const request = this.queue[0]
    const found = FOUND.exec(line)
    if (request && found) {
      const info: ObjectInfo = { oid: found[1]!, type: found[2] as ObjectType, size: Number(found[3]) }
      if (request.contents) this.body = { info, data: Buffer.allocUnsafe(info.size + 1), filled: 0 }
      else this.answer(info)
    } else if (request && line === `${request.rev} missing`) {
      this.answer(null)
    } else if (request && line === `${request.rev} ambiguous`) {
      this.settle(request => request.reject(gitLayerError(this.cwd, `Ambiguous rev "${request.rev}" in ${this.cwd}: use a longer sha or a full ref name`)))
    } else {
      // The stream is out of step: stop rather than hand answers to the wrong requests.
      this.fail(new GitError(ARGS, null, '', this.cwd, `Unexpected output from git cat-file in ${this.cwd}: ${JSON.stringify(line)}`))
      this.child.kill()
    }
  }

  private answer(value: GitObject | ObjectInfo | null): void {
    this.settle(request => request.resolve(value))
  }

  private settle(how: (request: Request) => void): void {
    how(this.queue.shift()!)
    if (this.queue.length === 0) this.keepAlive(false)
  }

  private fail(error: GitError): void {
    for (const request of this.queue.splice(0)) request.reject(error)
    this.keepAlive(false)
  }
}
