import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { readHead } from '../git/repo'
import { definedValues } from '../utils/object'
import type { GitVanApp } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { Receipt } from '../types/receipt'
import { createLimiter, executeItems } from './executor'
import type { ItemOutcome } from './executor'
import { loadDaemonJobs } from './jobs'
import type { LoadedJobs } from './jobs'
import { branchItems, commitItems, historyLines, newCommits, tagItems } from './plan'
import { itemStatus, progressKey, readProgress } from './progress'
import { startSchedules } from './schedule'
import type { Schedules } from './schedule'
import { readSnapshot } from './snapshot'
import { readState, updateState } from './state'
import { firstState, settle } from './settle'
import type { CommitInfo, DaemonJob, HistoryLine, RunPlace, WorkItem } from './types'
import { watchRefs } from './watch'
import type { RefWatcher } from './watch'
import { errorLine } from '../utils/messages'

export interface DaemonOptions {
  /** Process everything pending, then return (CI). */
  once?: boolean
  lookback?: number
  concurrency?: number
  worktrees?: 'current' | 'all'
  /** Run (job, commit) pairs again whose failures used up their retries. */
  retryFailed?: boolean
  /** Where the daemon reports runs and problems. */
  report: (event: DaemonEvent) => void
}

export type DaemonEvent =
  | { type: 'run'; job: string; sha: string; status: Receipt['status']; durationMs: number; trigger: Receipt['trigger']; worktree: string; error?: string }
  | { type: 'broken'; job: string; message: string }
  | { type: 'warn'; message: string }

export interface TickSummary {
  /** Runs recorded by this tick. */
  ran: number
  /** Items another daemon holds a lease on: they may still need us (if it dies). */
  held: number
  /** Items waiting out a retry's backoff: `once` waits for them too. */
  waiting: number
}

export interface Daemon {
  /** Run until `stop()` (or, with `once`, until nothing is pending). */
  run: () => Promise<void>
  /** Stop taking work, give running jobs `daemon.grace` ms, then abort them; receipts are flushed, leases released. */
  stop: (signal?: NodeJS.Signals) => Promise<void>
  /** One pass over the repository (exposed for tests and `dev`). */
  tick: () => Promise<TickSummary>
  /**
   * Load the jobs again (`gitvan dev`). A job that no longer loads keeps its last good version; runs in flight
   * finish on the version they started with. Returns the ids loaded and the broken ones.
   */
  reloadJobs: () => Promise<LoadedJobs>
}

export function createDaemon(app: GitVanApp, options: DaemonOptions): Daemon {
  const cwd = app.repo.root
  const config = { ...app.options.daemon, ...definedValues({ lookback: options.lookback, concurrency: options.concurrency, worktrees: options.worktrees }) }
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const self: RunPlace = { id: app.repo.worktreeId, root: app.repo.root, branch: app.repo.branch }
  const shutdown = new AbortController()
  const reportedInvalid = new Set<string>()
  let jobs: LoadedJobs = { jobs: [], broken: new Map() }
  let current: Promise<TickSummary> | undefined
  let dirty = false
  let stopping = false
  let watcher: RefWatcher | undefined
  let schedules: Schedules | undefined
  let finished: (() => void) | undefined
  let slotsRunning = 0
  // Pairs dispatched and not finished: a tick never dispatches them twice, and a slow run holds up nothing else.
  const inFlight = new Set<string>()
  const batches = new Set<Promise<unknown>>()
  // --retry-failed: until a pass got through, also plan the settled commits of each line (its last `lookback`
  // ones), which is where failures that used up their retries are, and run each failed (job, key) once more.
  let retryPass = options.retryFailed === true
  const retried = new Set<string>()

  const executor = {
    app,
    owner,
    limit: createLimiter(config.concurrency),
    signal: shutdown.signal,
    onRun: (item: WorkItem, result: ExecResult, receipt: Receipt | undefined) => options.report({
      type: 'run', job: item.job.id, sha: item.sha, status: receipt?.status ?? (result.ok ? 'ok' : 'error'), durationMs: result.durationMs, trigger: item.trigger, worktree: item.place.id, ...(result.error ? { error: result.error } : {}),
    }),
    onLost: (item: WorkItem) => options.report({ type: 'warn', message: `lease of ${item.job.id} ${item.sha.slice(0, 7)} was lost while it ran; its receipt is left to the daemon that took over` }),
  }

  async function loadJobs(): Promise<LoadedJobs> {
    const previous = new Map(jobs.jobs.map(job => [job.id, job]))
    const loaded = await loadDaemonJobs(app)
    const kept = [...loaded.broken.keys()].flatMap(id => (previous.has(id) ? [previous.get(id)!] : []))
    jobs = { jobs: [...loaded.jobs, ...kept].sort((a, b) => a.id.localeCompare(b.id)), broken: loaded.broken }
    for (const [job, message] of loaded.broken) {
      options.report({ type: 'broken', job, message: previous.has(job) ? `${message} (its last good version stays active)` : message })
    }
    return jobs
  }

  function startTimers(): void {
    schedules?.stop()
    schedules = startSchedules(jobs.jobs, (job, slot) => runSlot(job, slot).catch(error => options.report({ type: 'warn', message: `schedule of ${job.id} failed: ${(error as Error).message}` })), (job, error) => options.report({ type: 'broken', job: job.id, message: error.message }))
  }

  async function tick(): Promise<TickSummary> {
    const at = new Date()
    const snapshot = await readSnapshot(cwd)
    const state = (await readState(cwd)).state ?? (await firstState(cwd, snapshot))
    const lines = historyLines(snapshot, self, config.worktrees)
    const perLine = new Map<HistoryLine, { commits: CommitInfo[]; items: WorkItem[] }>()
    const retrying = retryPass
    for (const line of lines) {
      const commits = await newCommits(cwd, line, state, config.lookback)
      // Settled commits are planned for the retry only: they do not hold the line's progress back (see settle).
      const planned = retrying ? withSettled(await newCommits(cwd, line, { ...state, heads: {} }, config.lookback), commits) : commits
      perLine.set(line, { commits, items: commitItems(jobs.jobs, line, planned) })
    }
    const tagWork = tagItems(jobs.jobs, snapshot, state, self)
    const branchWork = branchItems(jobs.jobs, lines, state, snapshot.times)
    const items = dedupe([...[...perLine.values()].flatMap(line => line.items), ...tagWork, ...branchWork])

    const shas = items.map(item => item.sha)
    const before = await readProgress(cwd, app.options.receipts.ref, shas)
    reportInvalid(before.invalid)
    const now = Date.now()
    const statusOf = (item: WorkItem) => itemStatus(item, before.progress, { now, retryFailed: retrying && !retried.has(keyOf(item)) })
    const todo = items.filter(item => statusOf(item) === 'todo' && !inFlight.has(keyOf(item)))
    const batch = todo.length > 0 && !stopping ? dispatch(todo, retrying) : undefined
    // Under `--once` a tick waits for its runs; otherwise the next tick (asked for when they finish) settles them.
    const outcomes: Map<WorkItem, ItemOutcome> = batch && options.once ? await batch : new Map()
    const after = outcomes.size > 0 ? (await readProgress(cwd, app.options.receipts.ref, shas)).progress : before.progress
    const settled = (item: WorkItem) => ['done', 'failed'].includes(itemStatus(item, after, { now: Date.now(), retryFailed: false }))

    await settle(cwd, { snapshot, base: state, perLine, settled, tagWork, branchWork })
    const count = (...kinds: ItemOutcome[]) => [...outcomes.values()].filter(outcome => kinds.includes(outcome)).length
    // Held elsewhere, or lost to another daemon: still someone's work, which a `--once` run waits for.
    const summary = { ran: count('ran'), held: count('held', 'lost'), waiting: items.filter(item => statusOf(item) === 'waiting').length }
    await app.callHook('daemon:tick', { at, queued: todo.length, running: slotsRunning })
    return summary
  }

  function dispatch(todo: WorkItem[], retrying: boolean): Promise<Map<WorkItem, ItemOutcome>> {
    for (const item of todo) inFlight.add(keyOf(item))
    const batch = executeItems(todo, executor)
      .then((outcomes) => {
        if (retrying) {
          for (const [item, outcome] of outcomes) if (outcome === 'ran') retried.add(keyOf(item))
          if (![...outcomes.values()].includes('held')) retryPass = false
        }
        return outcomes
      })
      .finally(() => {
        for (const item of todo) inFlight.delete(keyOf(item))
        batches.delete(batch)
        if (!options.once) requestTick()
      })
    batches.add(batch)
    if (!options.once) batch.catch(error => options.report({ type: 'warn', message: `runs failed: ${errorLine(error)}` }))
    return batch
  }

  function reportInvalid(invalid: { sha: string; line: string }[]): void {
    for (const { sha, line } of invalid) {
      const key = `${sha}\0${line}`
      if (reportedInvalid.has(key)) continue
      reportedInvalid.add(key)
      options.report({ type: 'warn', message: `skipping a receipt line on ${sha.slice(0, 7)} that is not a GitVan receipt: ${line.slice(0, 80)}` })
    }
  }

  /** Ticks never overlap: a change during a tick asks for one more afterwards. */
  function requestTick(): void {
    if (stopping) return
    if (current) {
      dirty = true
      return
    }
    current = tick()
      .catch((error) => {
        options.report({ type: 'warn', message: `tick failed: ${errorLine(error)}` })
        return { ran: 0, held: 0, waiting: 0 }
      })
      .finally(() => {
        current = undefined
        if (dirty) {
          dirty = false
          requestTick()
        }
      })
  }

  async function runSlot(job: DaemonJob, slot: Date): Promise<void> {
    if (stopping) return
    const slotTime = slot.toISOString()
    const head = await readHead(cwd)
    if (!head) return options.report({ type: 'warn', message: `schedule of ${job.id} at ${slotTime} skipped: the repository has no commit to attach a receipt to` })
    if (((await readState(cwd)).state?.schedules[job.id] ?? '') >= slotTime) return
    const item: WorkItem = { job, key: `schedule:${slotTime}`, sha: head, trigger: { type: 'schedule', slot: slotTime }, branch: self.branch, commitTime: slot.getTime() / 1000, place: self }
    slotsRunning++
    await executeItems([item], executor).finally(() => slotsRunning--)
    await updateState(cwd, (state) => {
      if ((state.schedules[job.id] ?? '') < slotTime) state.schedules[job.id] = slotTime
      return state
    })
  }

  return {
    tick,
    async reloadJobs() {
      const loaded = await loadJobs()
      if (!stopping && watcher) {
        startTimers()
        requestTick()
      }
      return loaded
    },
    async run() {
      await loadJobs()
      const worktrees = config.worktrees === 'all' ? (await readSnapshot(cwd)).worktrees.filter(w => !w.bare).map(w => ({ id: w.id, root: w.path, branch: w.branch })) : [self]
      await app.callHook('daemon:start', { app, pid: process.pid, worktrees })
      if (options.once) {
        for (;;) {
          const { ran, held, waiting } = await tick()
          if (stopping || (ran === 0 && held === 0 && waiting === 0)) break
          if (ran === 0) await sleep(Math.min(500, app.options.locks.ttl / 4))
        }
        await app.callHook('daemon:close', { reason: 'done' })
        return
      }
      const done = new Promise<void>(resolve => (finished = resolve))
      watcher = watchRefs(app.repo.commonDir, { pollInterval: config.pollInterval, onChange: requestTick })
      startTimers()
      requestTick()
      await done
    },
    async stop(signal) {
      if (stopping) return
      stopping = true
      schedules?.stop()
      await watcher?.close()
      const running = Promise.allSettled([current, ...batches])
      const grace = sleep(config.grace, 'grace', { ref: false })
      if ((await Promise.race([running.then(() => 'done'), grace])) === 'grace') shutdown.abort(new Error('GitVan is shutting down'))
      await running
      await app.callHook('daemon:close', signal ? { reason: 'signal', signal } : { reason: 'done' })
      finished?.()
    },
  }
}

function keyOf(item: WorkItem): string {
  return progressKey(item.job.id, item.key)
}

function dedupe(items: WorkItem[]): WorkItem[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const key = keyOf(item)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** `settled` commits (oldest first) not in `fresh`, then `fresh`. */
function withSettled(settled: CommitInfo[], fresh: CommitInfo[]): CommitInfo[] {
  const seen = new Set(fresh.map(commit => commit.sha))
  return [...settled.filter(commit => !seen.has(commit.sha)), ...fresh]
}
