import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { ABORT_GRACE_MS } from '../../exec/abortable'
import { isRunCancelled } from '../../exec/outcome'
import { killProcessGroup } from '../../exec/process-group'
import type { RunLog } from '../../types/log'
import type { FromJobWorker, Interruption, JobRunAnswer, JobRunRequest, JobWorkerData, ToJobWorker } from '../../types/pool'
import { errorLine } from '../../utils/messages'
import { jobWorkerEntry } from './entry'

/** A run past its timeout whose worker does not answer a ping within this long is stuck in synchronous code. */
const LIVENESS_MS = 1000
/** After a failed start, workers are not started again for this long, doubled after each failure up to a minute. */
const START_BACKOFF_MS = 1000
const START_BACKOFF_MAX_MS = 60_000
/** A worker not ready this long after it was started (its app's creation hangs) is stopped: a failed start. */
const START_TIMEOUT_MS = 60_000
/** How long a closing worker gets for its app's `close` hook before it is stopped. */
const CLOSE_MS = 5000
/**
 * How long a reload waits for a worker to say it loaded the new code: one busy in synchronous job code answers only
 * when that run ends, and a reload (`gitvan dev`) does not wait for a run.
 */
const RELOAD_WAIT_MS = 2000
/** Node's timers take at most this many ms. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface JobPoolOptions extends JobWorkerData {
  /** Workers at most: runs at once. */
  size: number
  /** MB of V8 heap per worker. */
  memoryLimit: number
  /** Things that went wrong outside any run: a worker that cannot start, a worker that died while idle. */
  onProblem: (message: string) => void
}

/**
 * A run's end: what its worker answered, or why its code could not answer (when it was sent, for how long, and what
 * it wrote before, when its worker could still say).
 */
export type PoolOutcome = { answer: JobRunAnswer } | { interrupted: Interruption; startedAt: Date; durationMs: number; log?: RunLog }

export interface JobPool {
  /** Run one job in a worker of its own; never rejects. `signal` aborts the run's signal in the worker. */
  run: (request: JobRunRequest, signal: AbortSignal) => Promise<PoolOutcome>
  /**
   * Job files changed: every worker loads them again before its next run. Resolves once each has (or ended, or is
   * busy in synchronous code past `RELOAD_WAIT_MS`): until then a worker may still read the files, and a file broken
   * meanwhile would leave it an older "last good version" than the daemon's.
   */
  reload: () => Promise<void>
  /** End every worker (their apps' `close` hooks run); runs still going end interrupted. */
  close: () => Promise<void>
}

interface PoolWorker {
  thread: Worker
  ready: boolean
  run?: PoolRun
  /** Why the pool ended it (timeout, abort, close): how its run ends. */
  stopped?: Interruption
  /** The worker's own words on an uncaught exception or unhandled rejection. */
  crash?: string
  error?: Error & { code?: string }
  /** The run going on had started when the worker ended in it (and what it wrote). */
  ended?: { log?: RunLog }
  /** Process groups its `cli` steps started that still run: killed if the worker dies. */
  groups: Set<number>
  /** A ping went out and no pong came back yet. */
  pinged: boolean
  /** The run it had was abandoned by its code (timed out or aborted): it ends after that run. */
  retire: boolean
  /** Reloads sent and not answered yet, by id. */
  reloads: Map<number, () => void>
}

interface PoolRun {
  job: string
  finish: (outcome: { answer: JobRunAnswer } | { interrupted: Interruption; log?: RunLog }) => void
}

/**
 * A warm pool of job workers (worker threads, each with its own app), one run at a time each: one is started at
 * once, more as runs need them, up to `size`. A worker whose run crashed it, exited, ran out of memory or was
 * stopped is replaced by the next run that needs one; workers that fail to start are reported once and tried again
 * only after a backoff, the runs meanwhile failing with the reason: nothing spins.
 */
export function createJobPool(options: JobPoolOptions): JobPool {
  const entry = jobWorkerEntry()
  const live = new Set<PoolWorker>()
  const idle: PoolWorker[] = []
  const waiting: { resolve: (worker: PoolWorker) => void; reject: (error: Error) => void }[] = []
  const reported = new Set<string>()
  let failures = 0
  let blockedUntil = 0
  let startFailure = ''
  let serial = 0
  let closing = false
  /** A worker started ahead of the first run, so that run does not wait for it (unless a run took it already). */
  let spare: { worker: Promise<PoolWorker>; taken: boolean } | undefined

  const post = (worker: PoolWorker, message: ToJobWorker) => worker.thread.postMessage(message)

  function start(): Promise<PoolWorker> {
    if (Date.now() < blockedUntil) return Promise.reject(new Error(startFailure))
    const thread = new Worker(entry.code, {
      eval: entry.eval,
      name: 'gitvan job worker',
      workerData: { cwd: options.cwd, configFile: options.configFile } satisfies JobWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryLimit },
    })
    const worker: PoolWorker = { thread, ready: false, pinged: false, retire: false, groups: new Set(), reloads: new Map() }
    live.add(worker)
    const late = setTimeout(() => {
      worker.crash ??= `it was not ready after ${START_TIMEOUT_MS / 1000} s (its app's creation hangs: a plugin's setup?)`
      void thread.terminate()
    }, START_TIMEOUT_MS)
    return new Promise<PoolWorker>((resolve, reject) => {
      thread.on('message', (message: FromJobWorker) => {
        switch (message.type) {
          case 'ready': {
            clearTimeout(late)
            worker.ready = true
            failures = 0
            resolve(worker)
            break
          }
          case 'pong': {
            worker.pinged = false
            break
          }
          case 'reloaded': {
            worker.reloads.get(message.id)?.()
            worker.reloads.delete(message.id)
            break
          }
          case 'done': {
            // Code of a run that timed out or was cancelled may still be running: it must not touch the next run.
            if (message.answer.receipt.status === 'timeout' || message.answer.receipt.status === 'cancelled') worker.retire = true
            worker.run?.finish({ answer: message.answer })
            break
          }
          case 'failed': {
            worker.run?.finish({ interrupted: { status: 'error', error: `job ${worker.run.job} could not be loaded in its worker: ${message.error}`, started: false } })
            break
          }
          case 'crash': {
            worker.crash = message.error
            break
          }
          case 'ended': {
            worker.ended = { log: message.log }
            break
          }
          case 'group': {
            if (message.running) worker.groups.add(message.pgid)
            else worker.groups.delete(message.pgid)
            break
          }
        }
      })
      thread.on('error', error => (worker.error = error))
      thread.once('exit', (code) => {
        clearTimeout(late)
        live.delete(worker)
        for (const done of worker.reloads.values()) done()
        // The commands its run started die with it, as they would with the run.
        for (const pgid of worker.groups) void killProcessGroup(pgid)
        if (idle.includes(worker)) idle.splice(idle.indexOf(worker), 1)
        if (!worker.ready) reject(closing ? new Error('the daemon is closing its job workers') : startFailed(worker.crash ?? (worker.error ? errorLine(worker.error) : `it exited with code ${code} while starting`)))
        else if (worker.run) worker.run.finish({ interrupted: worker.stopped ?? ended(worker, worker.run.job, code), log: worker.ended?.log })
        else if (!closing && !worker.stopped) options.onProblem(`a job worker ended while idle with ${worker.crash ?? (worker.error ? `an error: ${errorLine(worker.error)}` : `exit code ${code}`)}; something an earlier run left behind (a timer, a promise) did it, and a new worker takes its place`)
        serveWaiting()
      })
    })
  }

  function startFailed(line: string): Error {
    failures++
    const wait = Math.min(START_BACKOFF_MS * 2 ** (failures - 1), START_BACKOFF_MAX_MS)
    blockedUntil = Date.now() + wait
    startFailure = line
    if (!reported.has(line)) {
      reported.add(line)
      options.onProblem(`job workers cannot start: ${line}; runs fail until that is fixed (a plugin that throws in a worker: see docs/hooks.md#plugins-and-job-workers)`)
    }
    return new Error(line)
  }

  /**
   * How a worker ended that the pool did not end: the line for its run's receipt. A worker that said nothing as it
   * ended (out of memory) is taken to have started the run: code that eats memory is job code.
   */
  function ended(worker: PoolWorker, job: string, code: number): Interruption {
    const started = worker.ended !== undefined
    if (worker.error?.code === 'ERR_WORKER_OUT_OF_MEMORY') return { status: 'error', error: `job ${job} ran out of memory (limit ${options.memoryLimit} MB): use less, or raise jobs.memoryLimit`, started: true }
    if (worker.crash) return { status: 'error', error: `job ${job} crashed its worker with ${worker.crash}`, started }
    if (worker.error) return { status: 'error', error: `job ${job} crashed its worker: ${errorLine(worker.error)}`, started }
    return { status: 'error', error: `job ${job} called process.exit(${code}): return a result or throw instead`, started }
  }

  function prestart(): void {
    const started = { worker: start(), taken: false }
    spare = started
    started.worker.then((worker) => {
      if (started.taken) return
      spare = undefined
      release(worker)
    }, () => {
      if (spare === started) spare = undefined
    })
  }

  function acquire(): Promise<PoolWorker> {
    const worker = idle.pop()
    if (worker) return Promise.resolve(worker)
    if (closing) return Promise.reject(new Error('the daemon is closing its job workers'))
    if (spare) {
      spare.taken = true
      const taken = spare.worker
      spare = undefined
      return taken
    }
    if (live.size < options.size) return start()
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
  }

  function release(worker: PoolWorker): void {
    if (worker.retire && !closing) {
      void retire(worker)
      return serveWaiting()
    }
    if (!live.has(worker) || closing) return
    const next = waiting.shift()
    if (next) return next.resolve(worker)
    worker.thread.unref()
    idle.push(worker)
  }

  /** A worker left: start another for the first run waiting, if any. */
  function serveWaiting(): void {
    while (waiting.length > 0 && live.size < options.size && !closing) {
      const next = waiting.shift()!
      start().then(next.resolve, next.reject)
    }
  }

  /** Stop a worker now; its run, if any, ends with `why`. */
  function stop(worker: PoolWorker, why: Interruption): void {
    worker.stopped ??= why
    void worker.thread.terminate()
  }

  /**
   * Ask a worker to close its app and end; stop it if that takes longer than `CLOSE_MS`. A worker still starting is
   * stopped at once: its app never served a run.
   */
  async function retire(worker: PoolWorker): Promise<void> {
    if (!live.has(worker)) return
    worker.stopped ??= { status: 'error', error: `job ${worker.run?.job ?? '?'} was still running when the daemon closed its worker`, started: true }
    worker.thread.ref()
    const exited = new Promise(resolve => worker.thread.once('exit', resolve))
    if (worker.ready) post(worker, { type: 'close' })
    const timer = setTimeout(() => void worker.thread.terminate(), worker.ready ? CLOSE_MS : 0)
    await exited
    clearTimeout(timer)
  }

  function runIn(worker: PoolWorker, request: JobRunRequest, signal: AbortSignal): Promise<PoolOutcome> {
    return new Promise((resolve) => {
      const id = ++serial
      const startedAt = Date.now()
      const started = performance.now()
      let timer: NodeJS.Timeout | undefined
      // Past its timeout a run's own deadline ends it in the worker; a worker that does not even answer a ping
      // is stuck in synchronous code, which only stopping the thread ends.
      const check = () => {
        if (worker.pinged) {
          return stop(worker, { status: 'timeout', error: `job ${request.job} timed out after ${request.timeout} ms, its code keeping its worker busy (a synchronous loop?): the worker was stopped`, started: true })
        }
        worker.pinged = true
        worker.retire = true
        post(worker, { type: 'ping' })
        timer = setTimeout(check, LIVENESS_MS)
      }
      // The abort reaches the job's code (its `ctx.signal`, its `cli` steps); after the grace, the worker is stopped.
      const onAbort = () => {
        const reason: unknown = signal.reason
        const cancelled = isRunCancelled(reason)
        worker.retire = true
        post(worker, { type: 'abort', id, reason: errorLine(reason), cancelled })
        clearTimeout(timer)
        timer = setTimeout(() => stop(worker, cancelled
          ? { status: 'cancelled', reason: errorLine(reason), error: `job ${request.job} did not stop within ${ABORT_GRACE_MS} ms of being cancelled: its worker was stopped`, started: true }
          : { status: 'error', error: `job ${request.job} did not stop within ${ABORT_GRACE_MS} ms of being aborted (${errorLine(reason)}): its worker was stopped`, started: true }), ABORT_GRACE_MS + LIVENESS_MS)
      }
      worker.run = {
        job: request.job,
        finish: (outcome) => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          worker.run = undefined
          worker.pinged = false
          resolve('answer' in outcome ? outcome : { ...outcome, startedAt: new Date(startedAt), durationMs: Math.round(performance.now() - started) })
          release(worker)
        },
      }
      worker.thread.ref()
      post(worker, { type: 'run', id, request })
      timer = setTimeout(check, Math.min(request.timeout, MAX_TIMER_MS))
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  prestart()
  return {
    async run(request, signal) {
      let worker: PoolWorker
      try {
        worker = await acquire()
      } catch (error) {
        return { interrupted: { status: 'error', error: `job ${request.job} did not run: its worker could not start: ${errorLine(error)}`, started: false }, startedAt: new Date(), durationMs: 0 }
      }
      return runIn(worker, request, signal)
    },
    async reload() {
      reported.clear()
      failures = 0
      blockedUntil = 0
      const id = ++serial
      let timer: NodeJS.Timeout | undefined
      const waited = new Promise<void>(resolve => (timer = setTimeout(resolve, RELOAD_WAIT_MS)))
      const answered = Promise.all([...live].map(worker => new Promise<void>((resolve) => {
        worker.reloads.set(id, resolve)
        post(worker, { type: 'reload', id })
      })))
      await Promise.race([answered, waited])
      clearTimeout(timer)
    },
    async close() {
      closing = true
      for (const waiter of waiting.splice(0)) waiter.reject(new Error('the daemon is closing its job workers'))
      idle.length = 0
      await Promise.all([...live].map(retire))
    },
  }
}
