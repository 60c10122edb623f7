import { setTimeout as sleep } from 'node:timers/promises'
import { git, runGit } from '../git/command'
import { compactPacks, countPacks } from '../git/maintenance'
import { RemoteUnreachableError } from '../git/remote'
import { readHead } from '../git/repo'
import { cleanupCheckouts, createCheckouts } from '../jobs/checkouts'
import { cleanupIndexLocks } from '../jobs/run-records'
import { claimWork } from '../locks/claims'
import type { Runner } from '../locks/runners'
import { createRunnerLiveness, startRunner } from '../locks/runners'
import type { GitVanApp } from '../types/app'
import type { DaemonCloseInfo } from '../types/hooks'
import type { Receipt } from '../types/receipt'
import { cleanupTempFiles } from '../utils/fs'
import { errorLine } from '../utils/messages'
import { linkSignals } from '../utils/abort'
import { definedValues } from '../utils/object'
import type { LoadedJobs } from './jobs'
import { groupsOf, loadDaemonJobs } from './jobs'
import type { LineWork } from './line-work'
import { advanceLine, planLine, plannedItems, settledPrefix } from './line-work'
import { historyLines } from './lines'
import { branchItems, itemId, tagItems } from './plan'
import type { ItemProgress } from './progress'
import { itemStatus, progressOf, retryAt } from './progress'
import type { FinishedRun, Publisher } from './publish'
import { createPublisher } from './publish'
import { createRunQueue } from './queue'
import { createItemRunner, droppedReceipt } from './run-item'
import type { Schedules } from './schedule'
import { catchUpSlots, createAnchors, slotKey, startSchedules } from './schedule'
import type { RemoteSync } from './remote-sync'
import { adoptCloneReceipts, remoteBranchesPrefix, startRemoteSync } from './remote-sync'
import { createSnapshotReader } from './snapshot'
import type { RepoSnapshot } from './snapshot'
import { readState, updateState } from './state'
import type { DaemonState } from './state'
import type { DaemonJob, RunPlace, WorkItem } from './types'
import { watchRefs } from './watch'
import type { RefWatcher } from './watch'

export interface DaemonOptions {
  /** Process everything pending, then return (CI). */
  once?: boolean
  lookback?: number
  concurrency?: number
  worktrees?: 'current' | 'all'
  /** Run once more each (job, commit) whose last receipt is a failure that used up its retries. */
  retryFailed?: boolean
  /** Where the daemon reports runs and problems. */
  report: (event: DaemonEvent) => void
}

export type DaemonEvent =
  | { type: 'run'; job: string; sha: string; status: Receipt['status']; durationMs: number; trigger: Receipt['trigger']; worktree: string; error?: string; reason?: string }
  | { type: 'broken'; job: string; message: string }
  | { type: 'warn'; message: string }
  | { type: 'start'; version: string; root: string; runner: string; mode: 'once' | 'daemon'; jobs: string[]; broken: string[]; worktrees: string[] }
  /** A backlog being worked through: commits settled since the start, and still pending; every few seconds. */
  | { type: 'progress'; done: number; pending: number; perSecond: number; secondsLeft: number | null }

export interface TickSummary {
  /** Items dispatched by this tick. */
  queued: number
  /** Items other live runners hold: still someone's work, which `--once` waits for. */
  held: number
  /** Items waiting out a retry's backoff. */
  waiting: number
}

export interface Daemon {
  /** Run until `stop()` (or, with `once`, until nothing is pending). */
  run: () => Promise<void>
  /** Stop taking work, give running jobs `daemon.grace` ms, then abort them; receipts are published, claims released. */
  stop: (signal?: NodeJS.Signals) => Promise<void>
  /** One pass over the repository: plan, claim and queue what is due, settle what is done. */
  tick: () => Promise<TickSummary>
  /**
   * Load the jobs again (`gitvan dev`). A job that no longer loads keeps its last good version; runs in flight
   * finish on the version they started with. Returns the ids loaded and the broken ones.
   */
  reloadJobs: () => Promise<LoadedJobs>
}

/**
 * Planned (job, commit) pairs per line that may still be unsettled: how far ahead of the settled commit planning
 * goes, in commits of `WINDOW / jobs`. Memory follows it (a few KB per planned pair); so does the number of
 * claims and notes commits a backlog takes (fewer, larger ones for a larger window).
 */
const WINDOW = 4096
/** Milliseconds between writes of settled heads to the state while commits keep coming. */
const STATE_INTERVAL = 2000
/** Milliseconds between progress reports of a backlog. */
const PROGRESS_INTERVAL = 3000
/** Idle milliseconds before housekeeping, and the least time between two. */
const HOUSEKEEPING_IDLE = 30_000
const HOUSEKEEPING_EVERY = 10 * 60_000
/** Packs written by this daemon before housekeeping merges them. */
const COMPACT_AFTER_PACKS = 16

/** A claimed item, with the session (runner and publisher) it was claimed by. */
interface Flight {
  item: WorkItem
  claim: string
  session: Session
}

interface Session {
  runner: Runner
  publisher: Publisher<Flight>
}

export function createDaemon(app: GitVanApp, options: DaemonOptions): Daemon {
  const cwd = app.repo.root
  const { refs } = app
  /** With a remote, the branches followed are the remote's (fetched by `sync`), not this clone's. */
  const branchesPrefix = refs.remote ? remoteBranchesPrefix(refs.remote) : 'refs/heads/'
  const snapshots = createSnapshotReader(cwd, app.repo.commonDir, branchesPrefix)
  const config = { ...app.options.daemon, ...definedValues({ lookback: options.lookback, concurrency: options.concurrency, worktrees: options.worktrees }) }
  const self: RunPlace = { id: app.repo.worktreeId, root: app.repo.root, branch: app.repo.branch }
  const shutdown = new AbortController()
  const liveness = createRunnerLiveness(app.options.locks.ttl, refs)
  const checkouts = createCheckouts(app.repo)
  const anchors = createAnchors(cwd)
  const reported = new Set<string>()
  const startedAt = new Date().toISOString()
  /** Items running now, for `gitvan status`. */
  const runningNow = new Set<string>()
  const lines = new Map<string, LineWork>()
  /** Items known settled (a receipt says done or failed for good): not read again until their line moves on. */
  const settled = new Set<string>()
  /** Items claimed and not yet published: planned by no tick until their receipt is in Git. */
  const inFlight = new Map<string, Flight>()
  /** `--retry-failed`: items whose last receipt failed, to run once more in this process. */
  const retryOnce = new Set<string>()
  const held = new Map<string, string>()
  /** Schedule slots handled, by job, to record in the state once their runs are published. */
  const slotsDone = new Map<string, string>()
  let jobs: LoadedJobs = { jobs: [], broken: new Map() }
  let session: Session | undefined
  let closeReason: DaemonCloseInfo = { reason: 'done' }
  let watcher: RefWatcher | undefined
  let schedules: Schedules | undefined
  let sync: RemoteSync | undefined
  let stopWatchingReach = () => {}
  let current: Promise<TickSummary> | undefined
  let dirty = false
  let stopping = false
  let finished!: () => void
  /** Resolves once `stop()` is done with the runs: a stop that comes while `run()` still starts is not lost. */
  const stopped = new Promise<void>(resolve => (finished = resolve))
  let retryTimer: NodeJS.Timeout | undefined
  let releaseTimer: NodeJS.Timeout | undefined
  let housekeepingTimer: NodeJS.Timeout | undefined
  let lastHousekeeping = 0
  /** The number of packs when this daemon started (or last merged its own): what its writes added is the rest. */
  let packsAtStart: number | undefined
  let retryPass = options.retryFailed === true
  let stateWritten = 0
  /** Settled heads advanced in memory and not yet written to the state: plans start from them. */
  const localHeads = new Map<string, { from: string | null; to: string }>()
  let finalSettle = false
  let settledCommits = 0
  let lastProgress = { at: Date.now(), done: 0 }

  const warnOnce = (key: string, message: string) => {
    if (reported.has(key)) return
    reported.add(key)
    options.report({ type: 'warn', message })
  }
  const isSettled = (item: WorkItem) => settled.has(itemId(item))
  // Job code runs in a pool of job workers (jobs.isolation): what it does there ends its own run at worst.
  const itemRunner = createItemRunner(app, checkouts, { concurrency: config.concurrency, onProblem: message => options.report({ type: 'warn', message }) })

  const queue = createRunQueue<Flight>({
    concurrency: config.concurrency,
    describe: ({ item }) => `${item.trigger.type === 'commit' ? item.sha.slice(0, 7) : item.key}`,
    start: (flight, cancel) => execute(flight, cancel),
    drop: (flight, outcome, reason) => flight.session.publisher.add({ value: flight, receipt: droppedReceipt(flight.item, outcome, reason), on: flight.item.noteOn, claim: flight.claim }),
  })

  /** Run a queued item; `cancel` aborts it when a newer run of its group takes its place (it is then recorded). */
  async function execute(flight: Flight, cancel: AbortSignal): Promise<void> {
    const { item } = flight
    const stop = linkSignals([shutdown.signal, flight.session.runner.signal])
    const run = linkSignals([stop.signal, cancel])
    runningNow.add(itemId(item))
    try {
      const { result, receipt, log } = await itemRunner.run(item, run.signal)
      // A run cut short by shutdown or a lost lease is not recorded: whoever holds the work next runs it again.
      if (stop.signal.aborted && !result.ok) return forget(flight)
      flight.session.publisher.add({ value: flight, receipt, log, on: item.noteOn, claim: flight.claim })
    } catch (error) {
      warnOnce(`run:${itemId(item)}`, `run of ${item.job.id} on ${item.key.slice(0, 40)} could not start: ${errorLine(error)}`)
      forget(flight)
    } finally {
      runningNow.delete(itemId(item))
      run.dispose()
      stop.dispose()
    }
  }

  /**
   * Once the daemon has been idle for a while: the packs its own writes left merged (see `compactOwnPacks`), then
   * `git gc --auto`, where git decides whether there is anything else to pack (its `gc.auto` thresholds), so the
   * objects runs leave are packed before the user's own next commit has to.
   */
  function scheduleHousekeeping(): void {
    clearTimeout(housekeepingTimer)
    if (!app.options.daemon.housekeeping || options.once || stopping || queue.size() > 0 || inFlight.size > 0) return
    housekeepingTimer = setTimeout(() => {
      if (stopping || queue.size() > 0 || Date.now() - lastHousekeeping < HOUSEKEEPING_EVERY) return
      lastHousekeeping = Date.now()
      void compactOwnPacks()
        .then(() => runGit(['gc', '--auto', '--quiet'], { cwd }))
        .catch(error => warnOnce(`gc:${errorLine(error)}`, `housekeeping (git gc --auto) failed: ${errorLine(error)}; set daemon.housekeeping to false to stop trying`))
    }, HOUSEKEEPING_IDLE)
    housekeepingTimer.unref()
  }

  /**
   * Every fast-import of receipts or claims is a pack, and a backlog leaves a hundred, whose notes trees mostly
   * repeat each other: once this daemon added `COMPACT_AFTER_PACKS` of them, `git repack --geometric` merges the
   * small packs (deltas make the trees a fraction of their size), at the cost of those packs only.
   */
  async function compactOwnPacks(): Promise<void> {
    const packs = await countPacks(app.repo.commonDir)
    if (packsAtStart === undefined || packs - packsAtStart < COMPACT_AFTER_PACKS) return
    await compactPacks(cwd).catch(error => warnOnce(`repack:${errorLine(error)}`, `housekeeping (git repack --geometric=2) failed: ${errorLine(error)}; set daemon.housekeeping to false to stop trying`))
    packsAtStart = await countPacks(app.repo.commonDir)
  }

  function windowCommits(): number {
    return Math.max(64, Math.floor(WINDOW / Math.max(1, jobs.jobs.length)))
  }

  /** Every few seconds of a backlog: how far it got, how fast, how long to go. */
  function reportProgress(): void {
    const now = Date.now()
    const pending = Object.values(pendingByWorktree()).reduce((sum, count) => sum + count, 0)
    if (now - lastProgress.at < PROGRESS_INTERVAL || (pending === 0 && settledCommits === lastProgress.done)) return
    const perSecond = (settledCommits - lastProgress.done) / ((now - lastProgress.at) / 1000)
    lastProgress = { at: now, done: settledCommits }
    if (pending < windowCommits() / 10 && perSecond === 0) return
    options.report({ type: 'progress', done: settledCommits, pending, perSecond: Math.round(perSecond), secondsLeft: perSecond > 0 ? Math.ceil(pending / perSecond) : null })
  }

  /** Pending commits per worktree: what each line still has to settle. */
  function pendingByWorktree(): Record<string, number> {
    const pending: Record<string, number> = {}
    for (const work of lines.values()) pending[work.line.place.id] = (pending[work.line.place.id] ?? 0) + work.shas.length
    return pending
  }

  /** An item claimed but not run and not recorded: the claim no longer waits for it, the next tick may plan it. */
  function forget(flight: Flight): void {
    inFlight.delete(itemId(flight.item))
    flight.session.publisher.forget(flight.claim)
  }

  /** Claims whose work is published are released with the next claim, or after a quiet second. */
  function scheduleRelease(): void {
    clearTimeout(releaseTimer)
    releaseTimer = setTimeout(() => {
      const current = session
      const release = current?.publisher.finished() ?? []
      if (!current || release.length === 0 || stopping) return
      claimWork(refs, current.runner, [], liveness, { release })
        .then(() => current.publisher.released(release))
        .catch((error) => {
          // An outage is said once (see `startSync`); the release waits for the remote like everything else.
          if (!(error instanceof RemoteUnreachableError)) warnOnce(`release:${errorLine(error)}`, `releasing finished claims failed (retried with the next claim): ${errorLine(error)}`)
        })
    }, 1000)
    releaseTimer.unref()
  }

  function onPublished(runs: FinishedRun<Flight>[]): void {
    scheduleRelease()
    for (const { value: { item }, receipt } of runs) {
      inFlight.delete(itemId(item))
      retryOnce.delete(itemId(item))
      if (receipt.ok || receipt.status === 'cancelled') settled.add(itemId(item))
      if (item.trigger.type === 'schedule') slotsDone.set(item.job.id, item.trigger.slot > (slotsDone.get(item.job.id) ?? '') ? item.trigger.slot : slotsDone.get(item.job.id)!)
      options.report({
        type: 'run', job: item.job.id, sha: item.sha, status: receipt.status, durationMs: receipt.durationMs, trigger: item.trigger, worktree: item.place.id,
        ...(receipt.error ? { error: receipt.error } : {}), ...(receipt.reason ? { reason: receipt.reason } : {}),
      })
    }
    requestTick()
  }

  function onDropped(runs: FinishedRun<Flight>[], why: string): void {
    for (const { value } of runs) inFlight.delete(itemId(value.item))
    options.report({ type: 'warn', message: `${runs.length} receipt(s) not recorded: ${why}; another daemon runs that work again` })
  }

  /** A runner lease and the publisher fenced by it. A runner that lost its lease (judged dead) is replaced. */
  async function startSession(): Promise<Session> {
    const runner = await startRunner(refs, {
      ttl: app.options.locks.ttl,
      // What `gitvan status` shows of this daemon, as of its last renewal.
      info: () => ({ version: app.version, startedAt, worktree: self.id, running: [...runningNow].slice(0, 20), queued: queue.size() - queue.running(), pending: pendingByWorktree() }),
      onProblem: message => options.report({ type: 'warn', message }),
    })
    const publisher = createPublisher<Flight>({ refs, store: app.receipts, runner, busy: () => queue.size() > queue.running(), onPublished, onDropped, onProblem: message => options.report({ type: 'warn', message }) })
    return { runner, publisher }
  }

  async function currentSession(): Promise<Session> {
    if (session?.runner.lease()) return session
    if (session) options.report({ type: 'warn', message: `runner ${session.runner.owner} lost its lease (another daemon judged it dead): its runs stop, and it starts again as a new runner` })
    session = await startSession()
    return session
  }

  async function loadJobs(): Promise<LoadedJobs> {
    const previous = new Map(jobs.jobs.map(job => [job.id, job]))
    const loaded = await loadDaemonJobs(app)
    const kept = [...loaded.broken.keys()].flatMap(id => (previous.has(id) ? [previous.get(id)!] : []))
    jobs = { jobs: [...loaded.jobs, ...kept].sort((a, b) => a.id.localeCompare(b.id)), broken: loaded.broken }
    for (const [job, message] of loaded.broken) {
      options.report({ type: 'broken', job, message: previous.has(job) ? `${message} (its last good version stays active)` : message })
    }
    // Items are planned for one generation of jobs: plan again with the new ones.
    lines.clear()
    return jobs
  }

  async function tick(): Promise<TickSummary> {
    const at = new Date()
    const { state: stored } = await readState(refs)
    const snapshot = await snapshots.read(stored ?? undefined)
    const state = stored ?? await firstState(snapshot)
    const problem = (message: string) => warnOnce(message, message)
    for (const [tag, type] of snapshot.otherTags) {
      if (!state.tags.includes(tag)) warnOnce(`tag:${tag}`, `tag ${tag} points at a ${type}, not a commit: on.tag jobs skip it (point it at a commit to run them)`)
    }

    const seenLines = historyLines(snapshot, self, config.worktrees)
    const knownTips = stored ? seenLines.filter(line => line.name in state.heads).map(line => line.tip) : null
    const candidates: WorkItem[] = []
    for (const line of seenLines) {
      const work = await planLine(line, lines.get(line.name), {
        cwd, jobs: jobs.jobs, base: localHeads.get(line.name)?.to ?? state.heads[line.name] ?? null, others: line.name in state.heads || localHeads.has(line.name) ? null : knownTips, lookback: config.lookback, window: windowCommits(), isSettled, onProblem: problem,
      })
      lines.set(line.name, work)
      candidates.push(...plannedItems(work))
    }
    const seenNames = new Set(seenLines.map(line => line.name))
    for (const name of lines.keys()) if (!seenNames.has(name)) lines.delete(name)
    const tagWork = tagItems(jobs.jobs, snapshot, state, self, problem)
    const branchWork = branchItems(jobs.jobs, seenLines, state, snapshot.times, problem)
    if (retryPass) candidates.push(...await failedItems(seenLines, state))

    const open = dedupe([...candidates, ...tagWork, ...branchWork]).filter(item => !settled.has(itemId(item)) && !inFlight.has(itemId(item)))
    const read = open.length > 0 ? await readProgress(open) : { progress: new Map<string, ItemProgress>(), tip: null }
    const { progress } = read
    const now = Date.now()
    const todo: WorkItem[] = []
    let waiting = 0
    let wakeAt = Infinity
    for (const item of open) {
      const status = itemStatus(item, progress, now)
      if (status === 'failed' && retryOnce.has(itemId(item))) todo.push(item)
      else if (status === 'done' || status === 'failed') settled.add(itemId(item))
      else if (status === 'waiting') {
        waiting++
        wakeAt = Math.min(wakeAt, retryAt(item, progress))
      } else todo.push(item)
    }
    scheduleRetryTick(wakeAt)
    held.clear()
    const queued = todo.length > 0 && !stopping && !finalSettle ? await dispatch(todo, read) : 0
    await settle(snapshot, state, tagWork, branchWork)
    reportProgress()
    scheduleHousekeeping()
    await app.callHook('daemon:tick', { at, queued, running: queue.running() })
    return { queued, held: held.size, waiting }
  }

  /**
   * Claim `items` (those other runners hold are theirs), check their receipts once more under the claim (another
   * runner may have finished them before it), and queue the rest in order. Returns how many were queued.
   */
  async function dispatch(items: WorkItem[], read: { progress: Map<string, ItemProgress>; tip: string | null }): Promise<number> {
    const byId = new Map(items.map(item => [itemId(item), item]))
    const current = await currentSession()
    const release = current.publisher.finished()
    const result = await claimWork(refs, current.runner, items.map(item => ({ item: itemId(item), groups: item.groups.map(({ name, max }) => ({ name, max })) })), liveness, { release })
    current.publisher.released(release)
    for (const { runner: who, why } of result.reclaimed) options.report({ type: 'warn', message: `took over the work of runner ${who}: ${why}` })
    for (const [id, holder] of result.held) held.set(id, holder)
    if (!result.claim) return 0
    const claim = result.claim
    const granted = result.granted.map(id => byId.get(id)!)
    for (const item of granted) inFlight.set(itemId(item), { item, claim, session: current })
    current.publisher.track(claim, granted.length)
    let fresh: Map<string, ItemProgress>
    try {
      // Receipts published before the claim was granted are in the store now: over a remote, fetch them first.
      // Read them again only when some runner but this one published since they were read for planning.
      await app.receipts.sync()
      fresh = await app.receipts.unchangedSince(read.tip) ? read.progress : (await readProgress(granted)).progress
    } catch (error) {
      // Unread, they cannot run (the remote went away, say): the claim lets go of them and a later tick plans them.
      for (const item of granted) forget({ item, claim, session: current })
      throw error
    }
    const now = Date.now()
    const runnable = granted.filter((item) => {
      const status = itemStatus(item, fresh, now)
      if (status === 'todo' || (status === 'failed' && retryOnce.has(itemId(item)))) return true
      if (status === 'done' || status === 'failed') settled.add(itemId(item))
      forget({ item, claim, session: current })
      return false
    })
    queue.enqueue(runnable.map(item => ({ value: { item, claim, session: current }, groups: item.groups, supersede: item.job.job.skipIntermediate && item.line ? `${item.job.id}@${item.line}` : undefined })))
    return runnable.length
  }

  /** The progress of `items` from their receipts, and the notes commit it was read at. */
  async function readProgress(items: WorkItem[]): Promise<{ progress: Map<string, ItemProgress>; tip: string | null }> {
    const { receipts, invalid, tip } = await app.receipts.read([...new Set(items.map(item => item.noteOn))])
    for (const { sha, line } of invalid) warnOnce(`receipt:${sha}:${line}`, `skipping a receipt line on ${sha.slice(0, 7)} that is not a GitVan receipt: ${line.slice(0, 80)}`)
    return { progress: progressOf(receipts), tip }
  }

  /** `--retry-failed`: the items of each line's last `lookback` settled commits whose last receipt failed. */
  async function failedItems(seenLines: ReturnType<typeof historyLines>, state: DaemonState): Promise<WorkItem[]> {
    retryPass = false
    const found: WorkItem[] = []
    for (const line of seenLines) {
      const base = state.heads[line.name]
      if (!base) continue
      const work = await planLine({ ...line, tip: base }, undefined, { cwd, jobs: jobs.jobs, base: null, others: null, lookback: config.lookback, window: config.lookback, isSettled: () => false, onProblem: () => {} })
      found.push(...plannedItems(work))
    }
    const { progress } = await readProgress(found)
    const failed = found.filter(item => itemStatus(item, progress, Date.now()) === 'failed')
    for (const item of failed) retryOnce.add(itemId(item))
    return failed
  }

  /** Move each line's settled commit past its settled commits; record the tags, branches and slots settled. */
  async function settle(snapshot: RepoSnapshot, base: DaemonState, tagWork: WorkItem[], branchWork: WorkItem[]): Promise<void> {
    for (const [name, work] of lines) {
      const count = settledPrefix(work, isSettled)
      if (count === 0) continue
      const from = localHeads.get(name)?.from ?? base.heads[name] ?? null
      localHeads.set(name, { from, to: work.shas[count - 1]! })
      settledCommits += count
      for (const sha of advanceLine(work, count)) for (const job of jobs.jobs) settled.delete(`${job.id} ${sha}`)
    }
    const unsettled = (items: WorkItem[], name: (item: WorkItem) => string) => new Set(items.filter(item => !isSettled(item)).map(name))
    const openTags = unsettled(tagWork, item => (item.trigger as { tag: string }).tag)
    const openBranches = unsettled(branchWork, item => item.branch!)
    const tags = [...snapshot.tags.keys(), ...snapshot.otherTags.keys()].filter(tag => !openTags.has(tag))
    const branches = [...snapshot.branches.keys()].filter(branch => !openBranches.has(branch))
    // The last slot handled only tells a restart where catch-up starts (receipts on anchors say what ran), so it is
    // written with other changes, or once a minute, not after every slot of a busy cron.
    const slots = [...slotsDone].filter(([job, slot]) => (base.schedules[job] ?? '') < slot)
    const lineGone = Object.keys(base.heads).some(name => !lines.has(name))
    const news = lineGone || !sameSet(tags, base.tags) || !sameSet(branches, base.branches)
    // Settled heads are progress, not truth (receipts are): written at once when the daemon is idle, and at most
    // every few seconds while commits keep coming, so a busy repository does not get a state commit per commit.
    const idle = queue.size() === 0 && inFlight.size === 0
    const headsDue = localHeads.size > 0 && (finalSettle || idle || Date.now() - stateWritten >= STATE_INTERVAL)
    const slotsDue = slots.length > 0 && (finalSettle || Date.now() - stateWritten >= 60_000)
    if (!news && !headsDue && !slotsDue) return
    stateWritten = Date.now()
    const heads = new Map(localHeads)
    localHeads.clear()
    await updateState(refs, (state) => {
      for (const [name, { from, to }] of heads) {
        // Only from the commit we planned from: another daemon may have moved it meanwhile, and then its value stands.
        if ((state.heads[name] ?? null) === from) state.heads[name] = to
      }
      for (const name of Object.keys(state.heads)) if (!lines.has(name)) delete state.heads[name]
      state.tags = [...new Set([...state.tags.filter(tag => snapshot.tags.has(tag) || snapshot.otherTags.has(tag)), ...tags])].sort()
      state.branches = [...new Set([...state.branches.filter(branch => snapshot.branches.has(branch)), ...branches])].sort()
      for (const [job, slot] of slots) if ((state.schedules[job] ?? '') < slot) state.schedules[job] = slot
      return state
    })
  }

  /** A first start: tags and branches that exist are history, not news. */
  async function firstState(snapshot: RepoSnapshot): Promise<DaemonState> {
    // Branches whose tip is already in a checked-out line have nothing of their own to run: they start settled, so
    // a repository with thousands of branches costs one `for-each-ref --merged` on a first start, not a walk each.
    const served = historyLines(snapshot, self, config.worktrees).filter(line => line.checkedOut)
    const merged = new Map<string, string>()
    for (const line of served) {
      const names = await git(['for-each-ref', '--format=%(refname)', `--merged=${line.tip}`, branchesPrefix], { cwd })
      for (const ref of names.split('\n').filter(Boolean)) {
        const branch = ref.slice(branchesPrefix.length)
        if (snapshot.branches.has(branch) && !served.some(other => other.branch === branch)) merged.set(branch, snapshot.branches.get(branch)!)
      }
    }
    return updateState(refs, state => ({
      ...state,
      heads: { ...Object.fromEntries(merged), ...state.heads },
      tags: [...snapshot.tags.keys(), ...snapshot.otherTags.keys()].sort(),
      branches: [...snapshot.branches.keys()].sort(),
    }))
  }

  /** One slot of a schedule: the job runs on HEAD of the daemon's worktree, its receipt on the slot's anchor. */
  async function runSlots(job: DaemonJob, slots: Date[]): Promise<void> {
    if (stopping || slots.length === 0) return
    const head = await readHead(cwd)
    if (!head) return warnOnce(`schedule:${job.id}:empty`, `schedule of ${job.id} skipped: the repository has no commit to attach a receipt to`)
    // No overlap: a slot that comes while the job's previous scheduled run still goes on is skipped.
    if ([...inFlight.values()].some(flight => flight.item.job.id === job.id && flight.item.trigger.type === 'schedule')) return
    const keys = slots.map(slotKey)
    const anchorIds = await anchors.of(keys)
    const items = keys.map((slot) => {
      const item = { job, key: `schedule:${slot}`, sha: head, noteOn: anchorIds.get(slot)!, trigger: { type: 'schedule' as const, slot }, branch: self.branch, commitTime: Date.parse(slot) / 1000, place: self }
      return { ...item, groups: groupsOf(item, message => warnOnce(message, message)) }
    })
    const read = await readProgress(items)
    const due = items.filter(item => itemStatus(item, read.progress, Date.now()) === 'todo')
    for (const item of items) if (!due.includes(item)) slotsDone.set(job.id, (item.trigger as { slot: string }).slot)
    if (due.length > 0) await dispatch(due, read)
  }

  /** Slots missed while no daemon ran: the latest once, or as `meta.catchUp` says. A job never seen starts now. */
  async function catchUp(): Promise<void> {
    const { state } = await readState(refs)
    const now = new Date()
    for (const job of jobs.jobs.filter(job => job.job.meta.schedule)) {
      const since = state?.schedules[job.id]
      if (!since) {
        slotsDone.set(job.id, now.toISOString())
        continue
      }
      await runSlots(job, catchUpSlots(job, new Date(since), now))
    }
  }

  function startTimers(): void {
    schedules?.stop()
    schedules = startSchedules(jobs.jobs, (job, slot) => {
      runSlots(job, [slot]).catch(error => options.report({ type: 'warn', message: `schedule of ${job.id} failed: ${errorLine(error)}` }))
    }, (job, error) => options.report({ type: 'broken', job: job.id, message: error.message }))
  }

  function scheduleRetryTick(at: number): void {
    clearTimeout(retryTimer)
    if (!Number.isFinite(at) || options.once) return
    retryTimer = setTimeout(requestTick, Math.max(0, at - Date.now()) + 5)
    retryTimer.unref()
  }

  /** Ticks never overlap: a change during a tick asks for one more afterwards. */
  function requestTick(): void {
    if (stopping || options.once) return
    if (current) {
      dirty = true
      return
    }
    current = tick()
      .catch((error) => {
        // An outage is said once (see `watchReach`); the tick after it answers again picks up.
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

  /**
   * `--once`: tick until nothing is pending, running, waiting out a retry, or held by another live runner. Work
   * another runner holds is waited for, and said so; a runner that stops renewing its lease is judged dead within
   * `locks.ttl` and its work taken over; past a job's timeout plus twice the ttl, `--once` gives up with an error.
   */
  async function runOnce(): Promise<void> {
    const limit = app.options.jobs.timeout + 2 * app.options.locks.ttl
    let waitingSince: number | undefined
    let told = ''
    for (;;) {
      await sync?.now()
      const { queued, held: heldCount, waiting } = await tick()
      if (stopping) break
      if (queued > 0 || queue.size() > 0 || inFlight.size > 0) {
        await queue.idle()
        await session?.publisher.flush()
        waitingSince = undefined
        continue
      }
      if (heldCount === 0 && waiting === 0) break
      if (heldCount > 0) {
        waitingSince ??= Date.now()
        const holders = [...new Set(held.values())].sort().join(', ')
        if (holders !== told) {
          told = holders
          options.report({ type: 'warn', message: `waiting for ${heldCount} item(s) held by ${holders}; a runner whose lease is not renewed for ${app.options.locks.ttl} ms is judged dead and its work taken over` })
        }
        if (Date.now() - waitingSince > limit) {
          throw new Error(`gave up after ${Math.round((Date.now() - waitingSince) / 1000)} s waiting for ${heldCount} item(s) held by ${holders}, longer than a job may run (jobs.timeout + 2 × locks.ttl): stop that runner or run again later`)
        }
      }
      await sleep(Math.min(500, app.options.locks.ttl / 4))
    }
  }

  return {
    tick,
    async reloadJobs() {
      const loaded = await loadJobs()
      itemRunner.reload()
      if (!stopping && watcher) {
        startTimers()
        requestTick()
      }
      return loaded
    },
    async run() {
      packsAtStart = await countPacks(app.repo.commonDir)
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
      session = await startSession()
      const worktrees = config.worktrees === 'all' ? (await snapshots.read()).worktrees.filter(w => !w.bare).map(w => ({ id: w.id, root: w.path, branch: w.branch })) : [self]
      await app.callHook('daemon:start', { app, pid: process.pid, worktrees })
      options.report({ type: 'start', version: app.version, root: app.repo.root, runner: session.runner.owner, mode: options.once ? 'once' : 'daemon', jobs: jobs.jobs.map(job => job.id), broken: [...jobs.broken.keys()], worktrees: worktrees.map(worktree => worktree.id) })
      try {
        if (options.once) {
          await runOnce()
        } else if (!stopping) {
          watcher = watchRefs(app.repo.commonDir, {
            pollInterval: config.pollInterval,
            onChange: requestTick,
            also: refs.remote ? [branchesPrefix.slice(0, -1)] : [],
            // Polls look again while other runners hold work of ours (they may die) or settled heads wait to be written.
            busy: () => held.size > 0 || localHeads.size > 0,
          })
          await catchUp()
          if (!stopping) startTimers()
          requestTick()
          await stopped
        }
      } finally {
        await closeSession()
      }
      // `--once` has no idle time later: a backlog's packs are merged before it returns.
      if (options.once && app.options.daemon.housekeeping) await compactOwnPacks()
      await app.callHook('daemon:close', closeReason)
    },
    async stop(signal) {
      if (stopping) return
      stopping = true
      schedules?.stop()
      clearTimeout(retryTimer)
      await watcher?.close()
      for (const flight of queue.clear()) forget(flight)
      const idle = Promise.allSettled([current, queue.idle()])
      const grace = sleep(config.grace, 'grace', { ref: false })
      if ((await Promise.race([idle.then(() => 'done'), grace])) === 'grace') shutdown.abort(new Error('GitVan is shutting down'))
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
        options.report({ type: 'warn', message: `remote ${remote} is unreachable: taking no new work, keeping finished runs (${session?.publisher.pending() ?? 0} waiting) until it answers` })
        return
      }
      options.report({ type: 'warn', message: `remote ${remote} answers again after ${((Date.now() - lostAt) / 1000).toFixed(1)} s: publishing what waited, taking work again` })
      requestTick()
    })
    sync = startRemoteSync(app, { interval: config.pollInterval, onSynced: requestTick, onProblem: message => warnOnce(message, message) })
    await sync.start().catch((error: unknown) => {
      throw new Error(`Cannot start the daemon with remote ${remote}: ${errorLine(error)}; check the remote (\`git ls-remote ${remote}\`) and start again`)
    })
  }

  async function closeSession(): Promise<void> {
    clearTimeout(releaseTimer)
    clearTimeout(housekeepingTimer)
    await sync?.close()
    // A stop that came while `run()` was starting may have missed these.
    schedules?.stop()
    await watcher?.close()
    await queue.idle()
    await session?.publisher.close()
    // One last look settles what the last receipts finished (and the schedule marks), so a restart resumes there.
    finalSettle = true
    await tick().catch(error => options.report({ type: 'warn', message: `final settle failed: ${errorLine(error)}` }))
    await session?.runner.stop()
    stopWatchingReach()
    await itemRunner.close()
    await checkouts.close()
  }
}

function dedupe(items: WorkItem[]): WorkItem[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const id = itemId(item)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false
  const members = new Set(b)
  return a.every(item => members.has(item))
}
