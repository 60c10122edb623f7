import type { Socket } from 'node:net'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { GitError } from './error'
import { spawnError, spawnGit } from './command'

/** How long a shared session stays up unused: a daemon's ticks keep it warm, a CLI's exit ends it. */
const IDLE_MS = 2000

interface Pending {
  lines: number
  answers: string[]
  resolve: (answers: string[]) => void
  reject: (error: GitError) => void
}

/**
 * One long-lived git process that answers each request with a known number of lines (`update-ref --stdin` in
 * transaction mode says `start: ok` ... `commit: ok`; `hash-object --stdin-paths` one id per path). Starting a git
 * process costs a daemon 2-5 ms (more as its memory grows); a session costs that once. A request the process
 * dies on (git exits on the first failed transaction) is rejected with the `GitError` a one-shot run would have
 * given, and the next request starts a new process. While idle it does not keep Node's event loop alive.
 */
export class GitSession {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly queue: Pending[] = []
  private stderr = ''
  private partial = ''
  private dead = false

  constructor(readonly args: readonly string[], readonly cwd: string) {
    this.child = spawnGit(args, { cwd })
    this.child.stdout.setEncoding('utf8')
    this.child.stdout.on('data', (chunk: string) => this.receive(chunk))
    this.child.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString('utf8') })
    this.child.stdin.on('error', () => {}) // a dead process is reported through 'close'
    this.child.on('error', error => this.end(spawnError(args, cwd, error)))
    this.child.on('close', code => this.end(new GitError(args, code, this.stderr, cwd)))
    this.keepAlive(false)
  }

  /** Whether a request may be sent: the process is up and nothing is waiting for an answer. */
  get idle(): boolean {
    return !this.dead && this.queue.length === 0
  }

  get alive(): boolean {
    return !this.dead
  }

  /** Send `input`, resolve with the next `lines` lines of output. What git says on stderr meanwhile is kept for errors. */
  ask(input: string, lines: number): Promise<string[]> {
    if (this.dead) return Promise.reject(new GitError(this.args, null, this.stderr, this.cwd))
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) {
        this.stderr = ''
        this.keepAlive(true)
      }
      this.queue.push({ lines, answers: [], resolve, reject })
      this.child.stdin.write(input)
    })
  }

  close(): void {
    if (!this.dead) this.child.stdin.end()
  }

  private receive(chunk: string): void {
    const data = this.partial + chunk
    const lines = data.split('\n')
    this.partial = lines.pop()!
    for (const line of lines) {
      const pending = this.queue[0]
      if (!pending) continue
      pending.answers.push(line)
      if (pending.answers.length < pending.lines) continue
      this.queue.shift()
      if (this.queue.length === 0) this.keepAlive(false)
      pending.resolve(pending.answers)
    }
  }

  private end(error: GitError): void {
    if (this.dead) return
    this.dead = true
    for (const pending of this.queue.splice(0)) pending.reject(error)
    this.keepAlive(false)
  }

  /** Hold the event loop open only while answers are awaited. */
  private keepAlive(alive: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as Socket[]) {
      if (alive) handle.ref()
      else handle.unref()
    }
  }
}

const shared = new Map<string, { session: GitSession; timer?: NodeJS.Timeout }>()

/**
 * The session of `args` in `cwd` shared by this process, started when none is up, closed after `IDLE_MS` without
 * use. `null` while it is busy with another request and `exclusive`: the caller runs a one-shot process instead,
 * so requests that must not queue behind another (a transaction waiting out a lock) never do.
 */
export function sharedSession(cwd: string, args: readonly string[], exclusive: boolean): GitSession | null {
  const key = `${cwd}\0${args.join('\0')}`
  let entry = shared.get(key)
  if (entry && !entry.session.alive) entry = undefined
  if (!entry) shared.set(key, entry = { session: new GitSession(args, cwd) })
  if (exclusive && !entry.session.idle) return null
  clearTimeout(entry.timer)
  const used = entry
  used.timer = setTimeout(() => {
    if (shared.get(key) === used) shared.delete(key)
    used.session.close()
  }, IDLE_MS)
  used.timer.unref()
  return used.session
}
