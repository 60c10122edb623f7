import { setTimeout as sleep } from 'node:timers/promises'
import { countPacks } from '../git/maintenance'
import { RemoteUnreachableError } from '../git/remote'
import { cleanupCheckouts, createCheckouts } from '../jobs/checkouts'
import { cleanupIndexLocks } from '../jobs/run-records'
import { createRunnerLiveness } from '../locks/runners'
import type { GitVanApp } from '../types/app'
import type { Daemon, DaemonOptions, TickSummary } from '../types/daemon'
import type { DaemonCloseInfo } from '../types/hooks'
import { cleanupTempFiles } from '../utils/fs'
import { errorLine } from '../utils/messages'
import { definedValues } from '../utils/object'
import { forgetFlight, runFlight } from './dispatch'
import { compactOwnPacks } from './housekeeping'
import type { LoadedJobs } from './jobs'
import { loadDaemonJobs } from './jobs'
import { createRunQueue } from './queue'
import { createItemRunner, droppedReceipt } from './run-item'
import { runOnce } from './run-once'
import { startSession } from './runner-session'
import { catchUp, startScheduledRuns } from './scheduled-runs'
import type { Schedules } from './schedule'
import { createAnchors } from './schedule'
import type { RemoteSync } from './remote-sync'
import { adoptCloneReceipts, remoteBranchesPrefix, startRemoteSync } from './remote-sync'
import { createSnapshotReader } from './snapshot'
import { tick } from './tick'
import type { DaemonCore, Flight } from './types'
import { watchRefs } from './watch'
import type { RefWatcher } from './watch'

/**
 * The daemon's composition root: its options, the state its parts share (`DaemonCore`, passed to each of them; see
 * docs/architecture.md), and its lifecycle: start, stop, and when ticks run.
 */
export function createDaemon(app: GitVanApp, options: DaemonOptions): Daemon {
  const cwd = app.repo.root
  const { refs } = app
  const branchesPrefix = refs.remote ? remoteBranchesPrefix(refs.remote) : 'refs/heads/'
  const config = { ...app.options.daemon, ...definedValues({ lookback: options.lookback, concurrency: options.concurrency, worktrees: options.worktrees }) }
  const checkouts = createCheckouts(app.repo)
  const reported = new Set<string>()
  const core: DaemonCore = {
    app,
    options,
    config,
    cwd,
    refs,
    branchesPrefix,
    snapshots: createSnapshotReader(cwd, app.repo.commonDir, branchesPrefix),
    self: { id: app.repo.worktreeId, root: app.repo.root, branch: app.repo.branch },
    liveness: createRunnerLiveness(app.options.locks.ttl, refs),
    anchors: createAnchors(cwd),
    shutdown: new AbortController(),
    startedAt: new Date().toISOString(),
    // Job code runs in a pool of job workers (jobs.isolation): what it does there ends its own run at worst.
    itemRunner: createItemRunner(app, checkouts, { concurrency: config.concurrency, onProblem: message => options.report({ type: 'warn', message }) }),
    queue: createRunQueue<Flight>({
      concurrency: config.concurrency,
      describe: ({ item }) => `${item.trigger.type === 'commit' ? item.sha.slice(0, 7) : item.key}`,
      start: (flight, cancel) => runFlight(core, flight, cancel),
      drop: (flight, outcome, reason) => flight.session.publisher.add({ value: flight, receipt: droppedReceipt(flight.item, outcome, reason), on: flight.item.noteOn, claim: flight.claim }),
    }),
    jobs: { jobs: [], broken: new Map() },
    session: undefined,
    stopping: false,
    finalSettle: false,
    runningNow: new Set(),
    lines: new Map(),
    settled: new Set(),
    inFlight: new Map(),
    retryOnce: new Set(),
    retryPass: options.retryFailed === true,
    held: new Map(),
    slotsDone: new Map(),
    localHeads: new Map(),
    stateWritten: 0,
    settledCommits: 0,
    lastProgress: { at: Date.now(), done: 0 },
    releaseTimer: undefined,
    housekeeping: { timer: undefined, last: 0, packsAtStart: undefined },
    warnOnce(key, message) {
      if (reported.has(key)) return
      reported.add(key)
      options.report({ type: 'warn', message })
    },
    requestTick,
    scheduleRetryTick,
  }
  let closeReason: DaemonCloseInfo = { reason: 'done' }
  let watcher: RefWatcher | undefined
  let schedules: Schedules | undefined
  let sync: RemoteSync | undefined
  let stopWatchingReach = () => {}
  let current: Promise<TickSummary> | undefined
  let dirty = false
  let finished!: () => void
  /** Resolves once `stop()` is done with the runs: a stop that comes while `run()` still starts is not lost. */
  const stopped = new Promise<void>(resolve => (finished = resolve))
  let retryTimer: NodeJS.Timeout | undefined

  async function loadJobs(): Promise<LoadedJobs> {
    const previous = new Map(core.jobs.jobs.map(job => [job.id, job]))
    const loaded = await loadDaemonJobs(app)
    const kept = [...loaded.broken.keys()].flatMap(id => (previous.has(id) ? [previous.get(id)!] : []))
    core.jobs = { jobs: [...loaded.jobs, ...kept].sort((a, b) => a.id.localeCompare(b.id)), broken: loaded.broken }
    for (const [job, message] of loaded.broken) {
      options.report({ type: 'broken', job, message: previous.has(job) ? `${message} (its last good version stays active)` : message })
    }
    // Items are planned for one generation of jobs: plan again with the new ones.
    core.lines.clear()
    return core.jobs
  }

  function startTimers(): void {
    schedules?.stop()
    schedules = startScheduledRuns(core)
  }

  function scheduleRetryTick(at: number): void {
    clearTimeout(retryTimer)
    if (!Number.isFinite(at) || options.once) return
    retryTimer = setTimeout(requestTick, Math.max(0, at - Date.now()) + 5)
    retryTimer.unref()
  }

  /** A watcher, a poll or a fetch saw the refs move (`refs`: only those): the next tick reads them again. */
  function refsChanged(refs?: string[]): void {
    core.snapshots.changed(refs)
    requestTick()
  }

  /** Ticks never overlap: a change during a tick asks for one more afterwards. */
  function requestTick(): void {
    if (core.stopping || options.once) return
    if (current) {
      dirty = true
      return
    }
    current = tick(core)
      .catch((error) => {
        // An outage is said once (see `startSync`); the tick after it answers again picks up.
        if (!(error instanceof RemoteUnreachableError)) options.report({ type: 'warn', message: `tick failed: ${errorLine(error)}` })
        return { queued: 0, held: 0, waiting: 0 }
      })
      .finally(() => {
        current = undefined
        if (dirty) {
          dirty = false
          requestTick()
        }
      })
  }

  return {
    tick: () => {
      core.snapshots.changed()
      return tick(core)
    },
    async reloadJobs() {
      const loaded = await loadJobs()
      await core.itemRunner.reload()
      if (!core.stopping && watcher) {
        startTimers()
        requestTick()
      }
      return loaded
    },
    async run() {
      core.housekeeping.packsAtStart = await countPacks(app.repo.commonDir)
      await loadJobs()
      for (const path of await cleanupCheckouts(app.repo)) options.report({ type: 'warn', message: `removed checkout ${path}, left by a GitVan process that is gone` })
      for (const message of await cleanupTempFiles(app.repo.commonDir)) options.report({ type: 'warn', message })
      for (const message of await cleanupIndexLocks(app.repo)) options.report({ type: 'warn', message })
      if (refs.remote) {
        await startSync(refs.remote)
      } else {
        const from = await adoptCloneReceipts(app, message => options.report({ type: 'warn', message }))
        if (from) options.report({ type: 'warn', message: `first start in this clone: fetched the receipts and logs of ${from}, so work done elsewhere is not done again` })
      }
      core.session = await startSession(core)
      const worktrees = config.worktrees === 'all' ? (await core.snapshots.read()).worktrees.filter(w => !w.bare).map(w => ({ id: w.id, root: w.path, branch: w.branch })) : [core.self]
      await app.callHook('daemon:start', { app, pid: process.pid, worktrees })
      options.report({ type: 'start', version: app.version, root: app.repo.root, runner: core.session.runner.owner, mode: options.once ? 'once' : 'daemon', jobs: core.jobs.jobs.map(job => job.id), broken: [...core.jobs.broken.keys()], worktrees: worktrees.map(worktree => worktree.id) })
      try {
        if (options.once) {
          await runOnce(core, sync)
        } else if (!core.stopping) {
          watcher = watchRefs(app.repo.commonDir, {
            pollInterval: config.pollInterval,
            onChange: refsChanged,
            also: refs.remote ? [branchesPrefix.slice(0, -1)] : [],
            // Polls look again while other runners hold work of ours (they may die) or settled heads wait to be written.
            busy: () => core.held.size > 0 || core.localHeads.size > 0,
          })
          await catchUp(core)
          if (!core.stopping) startTimers()
          requestTick()
          await stopped
        }
      } finally {
        await closeSession()
      }
      // `--once` has no idle time later: a backlog's packs are merged before it returns.
      if (options.once && app.options.daemon.housekeeping) await compactOwnPacks(core)
      await app.callHook('daemon:close', closeReason)
    },
    async stop(signal) {
      if (core.stopping) return
      core.stopping = true
      schedules?.stop()
      clearTimeout(retryTimer)
      await watcher?.close()
      for (const flight of core.queue.clear()) forgetFlight(core, flight)
      const idle = Promise.allSettled([current, core.queue.idle()])
      const grace = sleep(config.grace, 'grace', { ref: false })
      if ((await Promise.race([idle.then(() => 'done'), grace])) === 'grace') core.shutdown.abort(new Error('GitVan is shutting down'))
      await idle
      closeReason = signal ? { reason: 'signal', signal } : { reason: 'done' }
      finished()
    },
  }

  /**
   * With a remote: fetch everything before the first tick (a fresh clone learns the receipts, the state and the
   * leases before it plans anything), then on the poll interval and when poked; say an outage once, and its end.
   */
  async function startSync(remote: string): Promise<void> {
    let lostAt = 0
    stopWatchingReach = refs.onReachability((reachable) => {
      if (!reachable) {
        lostAt = Date.now()
        options.report({ type: 'warn', message: `remote ${remote} is unreachable: taking no new work, keeping finished runs (${core.session?.publisher.pending() ?? 0} waiting) until it answers` })
        return
      }
      options.report({ type: 'warn', message: `remote ${remote} answers again after ${((Date.now() - lostAt) / 1000).toFixed(1)} s: publishing what waited, taking work again` })
      requestTick()
    })
    sync = startRemoteSync(app, { interval: config.pollInterval, onSynced: () => refsChanged(), onProblem: message => core.warnOnce(message, message) })
    await sync.start().catch((error: unknown) => {
      throw new Error(`Cannot start the daemon with remote ${remote}: ${errorLine(error)}; check the remote (\`git ls-remote ${remote}\`) and start again`)
    })
  }

  async function closeSession(): Promise<void> {
    clearTimeout(core.releaseTimer)
    clearTimeout(core.housekeeping.timer)
    await sync?.close()
    // A stop that came while `run()` was starting may have missed these.
    schedules?.stop()
    await watcher?.close()
    await core.queue.idle()
    await core.session?.publisher.close()
    // One last look settles what the last receipts finished (and the schedule marks), so a restart resumes there.
    core.finalSettle = true
    await tick(core).catch(error => options.report({ type: 'warn', message: `final settle failed: ${errorLine(error)}` }))
    await core.session?.runner.stop()
    stopWatchingReach()
    await core.itemRunner.close()
    await checkouts.close()
  }
}
