import { type ChildProcess, spawn } from 'node:child_process'
import { CappedOutput } from './capture'
import { announceProcessGroup, killProcessGroup } from './process-group'

/** How long to wait for stdout/stderr to close after the child exited, before blaming leftover processes. */
const PIPE_GRACE_MS = 200

/** Bytes of the end of stderr kept for failure messages, whatever `maxOutput` cut. */
const STDERR_TAIL_BYTES = 4096

export interface ProcessOptions {
  /** Absolute, existing directory. */
  cwd: string
  /** The child's whole environment. */
  env: Record<string, string>
  /** Milliseconds before the process group is killed. */
  timeout?: number
  /** Aborting kills the process group. */
  signal?: AbortSignal
  /** Bytes kept of stdout and of stderr. */
  maxOutput: number
  /** Told of every chunk of output as it arrives (the run's log), before any cap. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void
}

/** Why the process was stopped by us rather than ending on its own. */
export type StopCause = { by: 'timeout' } | { by: 'abort'; reason: unknown }

export interface ProcessOutcome {
  stdout: string
  stderr: string
  /** The last few KiB of stderr, even when `stderr` was cut. */
  stderrTail: string
  truncated: { stdout?: true; stderr?: true }
  exitCode: number | null
  signal: NodeJS.Signals | null
  stopped?: StopCause
  /** Set when the process could not be started at all. */
  startError?: NodeJS.ErrnoException
  durationMs: number
}

/**
 * Run `file` with `args` (no shell) as the leader of its own process group, capture capped output, and
 * resolve once the whole group is gone: a timeout, an abort or leftover background processes after the
 * leader exits all get the group killed, so nothing started here outlives the returned promise. Never rejects.
 */
export function runProcess(file: string, args: readonly string[], options: ProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now()
  const outcome = (fields: Partial<ProcessOutcome>): ProcessOutcome => ({
    stdout: '',
    stderr: '',
    stderrTail: '',
    truncated: {},
    exitCode: null,
    signal: null,
    durationMs: Math.round(performance.now() - started),
    ...fields,
  })
  if (options.signal?.aborted) return Promise.resolve(outcome({ stopped: { by: 'abort', reason: options.signal.reason } }))

  return new Promise((resolve) => {
    let child: ChildProcess
    try {
      // detached: the child leads a new process group, so one kill(-pid) reaches everything it starts.
      child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    } catch (error) {
      resolve(outcome({ startError: error as NodeJS.ErrnoException }))
      return
    }
    if (child.pid !== undefined) announceProcessGroup(child.pid, true)
    const stdout = new CappedOutput(options.maxOutput)
    const stderr = new CappedOutput(options.maxOutput, STDERR_TAIL_BYTES)
    const { onOutput } = options
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      onOutput?.('stdout', chunk)
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      onOutput?.('stderr', chunk)
    })
    const closed = new Promise<void>(done => child.once('close', () => done()))

    let stopped: StopCause | undefined
    let killing: Promise<void> | undefined
    const killGroup = () => (killing ??= killProcessGroup(child.pid!))
    const stop = (cause: StopCause) => {
      stopped ??= cause
      void killGroup()
    }
    const timer = options.timeout === undefined ? undefined : setTimeout(() => stop({ by: 'timeout' }), options.timeout)
    const onAbort = () => stop({ by: 'abort', reason: options.signal!.reason })
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const detach = () => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }

    // Only a failed start reaches here: we never ask Node to kill or message the child.
    child.once('error', (error: NodeJS.ErrnoException) => {
      detach()
      if (child.pid !== undefined) announceProcessGroup(child.pid, false)
      resolve(outcome({ startError: error }))
    })
    child.once('exit', async (exitCode, signal) => {
      detach()
      // A background process may still hold the pipes open: give them a moment, then kill what is left.
      await within(closed, PIPE_GRACE_MS)
      await killGroup()
      await within(closed, PIPE_GRACE_MS)
      child.stdout!.destroy()
      child.stderr!.destroy()
      announceProcessGroup(child.pid!, false)
      const truncated = { ...(stdout.truncated && { stdout: true as const }), ...(stderr.truncated && { stderr: true as const }) }
      resolve(outcome({ stdout: stdout.text(), stderr: stderr.text(), stderrTail: stderr.tail(), truncated, exitCode, signal, stopped }))
    })
  })
}

/** Wait for `promise`, but no longer than `ms`. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<void>(done => (timer = setTimeout(done, ms)))
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}
