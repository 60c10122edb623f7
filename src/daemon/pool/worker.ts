import { parentPort, workerData } from 'node:worker_threads'
import { createGitVan } from '../../app/create'
import { RunCancelled } from '../../exec/outcome'
import { watchProcessGroups } from '../../exec/process-group'
import { executeJob } from '../../jobs/execute'
import type { GitVanApp } from '../../types/app'
import type { Job } from '../../types/job'
import type { RunLogCollector } from '../../types/log'
import type { FromJobWorker, JobRunRequest, JobWorkerData, ToJobWorker } from '../../types/pool'
import { errorLine } from '../../utils/messages'
import { definedValues } from '../../utils/object'

// A job worker: a thread of the daemon with an app of its own, running one run at a time for the pool (pool.ts).
// Whatever job code does here (crash, exit, loop, eat memory) ends this thread, not the daemon.

const port = parentPort!
const send = (message: FromJobWorker) => port.postMessage(message)
/** Each run's abort controller, by the pool's run id. */
const runs = new Map<number, AbortController>()
/** The last good version of each job: a job file that stops loading keeps it, as in the daemon. */
const jobs = new Map<string, Job>()
/** The log of the run going on, once it started (`job:before`): when its code ends this worker, what it wrote goes with the news. */
let runLog: RunLogCollector | undefined

process.on('uncaughtException', error => crash(`an uncaught exception: ${errorLine(error)} (thrown in a timer or event handler: catch it there)`))
process.on('unhandledRejection', reason => crash(`an unhandled promise rejection: ${errorLine(reason)} (await or catch every promise the job starts)`))

watchProcessGroups((pgid, running) => send({ type: 'group', pgid, running }))
process.on('exit', () => {
  if (runLog) send({ type: 'ended', ...definedValues({ log: runLog.finish() }) })
})

/** Tell the pool why, then end: the run going on fails with that line, and the pool starts another worker. */
function crash(line: string): never {
  send({ type: 'crash', error: line })
  process.exit(1)
}

async function main(): Promise<void> {
  const { cwd, configFile } = workerData as JobWorkerData
  const app = await quietly(() => createGitVan({ cwd, configFile }))
  app.hook('job:before', (event) => {
    // Not the log of a job this run runs (`exec: 'job'`): the run's own.
    if (event.ctx.jobChain.length === 1) runLog = event.ctx.runLog
  })
  let loading = loadJobs(app)
  port.on('message', (message: ToJobWorker) => {
    switch (message.type) {
      case 'run': {
        runs.set(message.id, new AbortController())
        void loading.then(() => run(app, message.id, message.request))
        break
      }
      case 'abort': {
        runs.get(message.id)?.abort(message.cancelled ? new RunCancelled(message.reason) : new Error(message.reason))
        break
      }
      case 'ping': {
        send({ type: 'pong' })
        break
      }
      case 'reload': {
        loading = loading.then(async () => {
          try {
            await app.reloadModules()
            await loadJobs(app)
          } finally {
            send({ type: 'reloaded', id: message.id })
          }
        })
        break
      }
      case 'close': {
        void loading.then(() => app.close()).finally(() => process.exit(0))
        break
      }
    }
  })
  await loading
  send({ type: 'ready' })
}

async function run(app: GitVanApp, id: number, request: JobRunRequest): Promise<void> {
  const signal = runs.get(id)!.signal
  try {
    const job = jobs.get(request.job) ?? await app.loadJob(request.job)
    const { result, receipt, log } = await executeJob(app, request.job, job, {
      trigger: request.trigger,
      head: request.head,
      branch: request.branch,
      commitTime: request.commitTime,
      worktree: request.worktree,
      signal,
    })
    // Output and `meta` stay here: the daemon needs only what the receipt and the log keep.
    const { ok, durationMs, error, exitCode, artifact } = result
    send({ type: 'done', id, answer: { result: { ok, durationMs, ...definedValues({ error, exitCode, artifact }) }, receipt: receipt!, ...definedValues({ log }) } })
  } catch (error) {
    send({ type: 'failed', id, error: errorLine(error) })
  } finally {
    runs.delete(id)
    runLog = undefined
  }
}

async function loadJobs(app: GitVanApp): Promise<void> {
  for (const file of await app.scanJobs()) {
    try {
      jobs.set(file.id, await app.loadJob(file.id))
    } catch {
      // The daemon loads the same files and reports broken ones; the last good version here stays.
    }
  }
}

/** Creating the app says again what the daemon's app said when it was created (config and plugin warnings). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const streams = [process.stdout, process.stderr]
  const writes = streams.map(stream => stream.write)
  for (const stream of streams) stream.write = (() => true) as typeof stream.write
  try {
    return await fn()
  } finally {
    for (const [index, stream] of streams.entries()) stream.write = writes[index]!
  }
}

try {
  await main()
} catch (error) {
  send({ type: 'crash', error: errorLine(error) })
  process.exit(1)
}
