import { setTimeout as sleep } from 'node:timers/promises'
import picomatch from 'picomatch'
import { chooseRunWorktree } from '../app/run-worktree'
import { git, runGit } from '../git/command'
import { GitError } from '../git/error'
import { resolveCommit } from '../git/rev'
import { createCheckouts } from '../jobs/checkouts'
import { UnknownJobError } from '../jobs/registry'
import { claimWork } from '../locks/claims'
import { createRunnerLiveness, startRunner } from '../locks/runners'
import type { GitVanApp } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { JobTrigger } from '../types/job'
import type { Receipt } from '../types/receipt'
import { errorLine } from '../utils/messages'
import { receiptKey } from '../receipts/receipt'
import { groupsOf } from './jobs'
import { itemId } from './plan'
import { progressKey, progressOf } from './progress'
import { createPublisher } from './publish'
import { createRunQueue } from './queue'
import { droppedReceipt, runItem } from './run-item'
import { createAnchors } from './schedule'
import { compileTriggers } from './triggers'
import type { WorkItem } from './types'

/**
 * A (job, key) pair as its receipts tell it: the daemon's unit of exactly-once. `key` is the commit for commit
 * (and manual) runs, `tag:<name>`, `branch:<name>` or `schedule:<slot>` for the others.
 */
export interface RunPair {
  job: string
  key: string
  /** The commit the runs were for. */
  sha: string
  /** `settled` once a run succeeded, was skipped or cancelled (the daemon is done with it); else `failed`. */
  status: 'failed' | 'settled'
  /** Its last receipt. */
  last: Receipt
  /** The trigger a rerun gets: that of its daemon runs, so the new receipt settles the pair (run only by hand: its commit). */
  trigger: JobTrigger
}

export interface PairFilter {
  /** A job id, or a glob of ids (`docs:*`). */
  job?: string
  /** Only pairs whose receipts are on this commit (a full sha). */
  sha?: string
  /** Only pairs on commits reachable from this local branch. */
  branch?: string
}

/**
 * What happened to a pair: `ran` (a new receipt, in `receipt`), `not-failed` (settled: nothing done), `done` (found
 * settled under the claim: nothing done), `unknown-job` / `broken-job` (its job file is gone or does not load:
 * nothing done), `held` (another runner held it past `leaseWait`, see `holder`), `lost` (this process lost its
 * runner lease while it ran: the receipt is left to whoever took the work), `aborted` (`signal`).
 */
export type RerunOutcome = 'ran' | 'not-failed' | 'done' | 'unknown-job' | 'broken-job' | 'held' | 'lost' | 'aborted'

export interface RerunResult {
  pair: RunPair
  outcome: RerunOutcome
  /** Why, for `unknown-job` and `broken-job`; who, for `held`. */
  message?: string
  result?: ExecResult
  receipt?: Receipt
}

export interface RerunOptions {
  /** Stop waiting for claims and abort runs (Ctrl-C). */
  signal?: AbortSignal
  /** How long to wait for pairs another runner holds, in ms (default: twice `locks.ttl`). */
  leaseWait?: number
  /** Told of each run once its receipt is in Git. */
  onRun?: (result: RerunResult) => void
}

/** A pair's item on its way to Git, with its run's result (none for a run dropped from the queue). */
interface Flight {
  item: WorkItem
  result?: ExecResult
}

/** Every pair with receipts, oldest last run first (nested `exec: 'job'` runs are not pairs). */
export async function readPairs(app: GitVanApp, filter: PairFilter = {}): Promise<RunPair[]> {
  const cwd = app.repo.root
  await app.receipts.sync()
  const { receipts } = await app.receipts.read(filter.sha ? [filter.sha] : undefined)
  const wanted = filter.job === undefined ? () => true : matchJob(filter.job)
  const mine = receipts.filter(receipt => wanted(receipt.job) && receiptKey(receipt) !== null)
  const progress = progressOf(mine)
  const byPair = new Map<string, Receipt[]>()
  for (const receipt of mine) {
    const id = progressKey(receipt.job, receiptKey(receipt)!)
    byPair.set(id, [...(byPair.get(id) ?? []), receipt])
  }
  let pairs = [...byPair].map(([id, list]): RunPair => {
    const last = list.at(-1)!
    const trigger = list.findLast(receipt => receipt.trigger.type !== 'manual')?.trigger ?? { type: 'commit', sha: last.sha, branch: null }
    return { job: last.job, key: receiptKey(last)!, sha: last.sha, status: progress.get(id)!.settled ? 'settled' : 'failed', last, trigger }
  })
  if (filter.branch !== undefined) {
    const reachable = await commitsOf(cwd, filter.branch)
    pairs = pairs.filter(pair => reachable.has(pair.sha))
  }
  return pairs.sort((a, b) => a.last.finishedAt.localeCompare(b.last.finishedAt))
}

/**
 * Run failed pairs again, exactly once each across every daemon and rerun of the repository, as the daemon runs its
 * work: as a runner (a lease of its own), it claims each pair in the claims ledger (with the pair's groups), reads
 * the pair's receipts again under the claim, runs it only when it is still not settled, and publishes the receipt
 * fenced by its lease, releasing the claim in the same transaction. A pair another runner holds is tried again
 * until `leaseWait`. The new receipt has the trigger of the pair's runs, so it settles the pair for the daemon.
 * Pairs that are not `failed` are left alone (`not-failed`).
 */
export async function rerunPairs(app: GitVanApp, pairs: RunPair[], options: RerunOptions = {}): Promise<RerunResult[]> {
  const cwd = app.repo.root
  const results = new Map<RunPair, RerunResult>()
  const items = new Map<WorkItem, RunPair>()
  const anchors = createAnchors(cwd)
  for (const pair of pairs) {
    if (pair.status !== 'failed') {
      results.set(pair, { pair, outcome: 'not-failed' })
      continue
    }
    try {
      items.set(await workItemOf(app, pair, anchors), pair)
    } catch (error) {
      results.set(pair, { pair, outcome: error instanceof UnknownJobError ? 'unknown-job' : 'broken-job', message: errorLine(error) })
    }
  }
  if (items.size === 0) return pairs.map(pair => results.get(pair)!)

  const signal = options.signal ?? new AbortController().signal
  const finish = (item: WorkItem, outcome: RerunOutcome, extra: Partial<RerunResult> = {}) => {
    const done: RerunResult = { pair: items.get(item)!, outcome, ...extra }
    results.set(done.pair, done)
    if (outcome === 'ran') options.onRun?.(done)
  }
  const runner = await startRunner(app.refs, { ttl: app.options.locks.ttl, info: () => ({ version: app.version, rerun: items.size }) })
  const checkouts = createCheckouts(app.repo)
  const publisher = createPublisher<Flight>({
    refs: app.refs,
    store: app.receipts,
    runner,
    onPublished: runs => runs.forEach(({ value, receipt }) => finish(value.item, 'ran', { receipt, result: value.result })),
    onDropped: runs => runs.forEach(({ value }) => finish(value.item, 'lost')),
    onProblem: () => {},
  })
  const claims = new Map<WorkItem, string>()
  const record = (item: WorkItem, receipt: Receipt, result?: ExecResult) => publisher.add({ value: { item, result }, receipt, on: item.noteOn, claim: claims.get(item)! })
  const queue = createRunQueue<WorkItem>({
    concurrency: app.options.daemon.concurrency,
    describe: item => item.key,
    start: async (item, cancelled) => {
      try {
        const run = await runItem(app, item, checkouts, AbortSignal.any([signal, runner.signal, cancelled]))
        // Cut short by Ctrl-C: not recorded, the pair stays failed.
        if (signal.aborted && !run.result.ok) {
          publisher.forget(claims.get(item)!)
          return finish(item, 'aborted')
        }
        record(item, run.receipt, run.result)
      } catch (error) {
        publisher.forget(claims.get(item)!)
        finish(item, 'broken-job', { message: `could not start: ${errorLine(error)}` })
      }
    },
    drop: (item, outcome, reason) => record(item, droppedReceipt(item, outcome, reason)),
  })

  try {
    const liveness = createRunnerLiveness(app.options.locks.ttl, app.refs)
    const deadline = Date.now() + (options.leaseWait ?? 2 * app.options.locks.ttl)
    let pending = [...items.keys()]
    while (pending.length > 0 && !signal.aborted) {
      const byId = new Map(pending.map(item => [itemId(item), item]))
      const claimed = await claimWork(app.refs, runner, pending.map(item => ({ item: itemId(item), groups: item.groups.map(({ name, max }) => ({ name, max })) })), liveness)
      const granted = claimed.granted.map(id => byId.get(id)!)
      if (claimed.claim) {
        publisher.track(claimed.claim, granted.length)
        for (const item of granted) claims.set(item, claimed.claim)
      }
      // Under the claim nobody else runs these: what the receipts say now (fetched, over a remote) is final.
      await app.receipts.sync()
      const progress = progressOf((await app.receipts.read([...new Set(granted.map(item => item.noteOn))])).receipts)
      const runnable = granted.filter((item) => {
        if (!progress.get(progressKey(item.job.id, item.key))?.settled) return true
        publisher.forget(claimed.claim!)
        finish(item, 'done')
        return false
      })
      queue.enqueue(runnable.map(item => ({ value: item, groups: item.groups })))
      pending = pending.filter(item => claimed.held.has(itemId(item)))
      if (pending.length === 0) break
      if (Date.now() >= deadline) {
        for (const item of pending) finish(item, 'held', { message: `held by runner ${claimed.held.get(itemId(item))}` })
        break
      }
      // As `gitvan daemon --once` does: the holder finishes (or is found dead), then we ask again.
      await sleep(Math.min(500, app.options.locks.ttl / 4), undefined, { signal }).catch(() => {})
    }
    for (const item of pending) if (!results.has(items.get(item)!)) finish(item, 'aborted')
    await queue.idle()
    await publisher.close()
  } finally {
    await runner.stop()
    await checkouts.close()
  }
  return pairs.map(pair => results.get(pair)!)
}

/** The item the daemon would run for `pair`. */
async function workItemOf(app: GitVanApp, pair: RunPair, anchors: ReturnType<typeof createAnchors>): Promise<WorkItem> {
  const job = await app.loadJob(pair.job)
  const { trigger } = pair
  const branch = trigger.type === 'commit' || trigger.type === 'branch' ? trigger.branch : trigger.type === 'schedule' ? app.repo.branch : null
  const commitTime = trigger.type === 'schedule' ? Date.parse(trigger.slot) / 1000 : (await resolveCommit(app.repo.root, pair.sha)).commitTime
  const noteOn = trigger.type === 'schedule' ? (await anchors.of([trigger.slot])).get(trigger.slot)! : pair.sha
  const item = { job: { id: pair.job, job, triggers: compileTriggers(job.on) }, key: pair.key, sha: pair.sha, noteOn, trigger, branch, commitTime, place: await chooseRunWorktree(app, branch) }
  return { ...item, groups: groupsOf(item, () => {}) }
}

function matchJob(glob: string): (id: string) => boolean {
  const isMatch = picomatch(glob)
  return id => id === glob || isMatch(id)
}

async function commitsOf(cwd: string, branch: string): Promise<Set<string>> {
  const { exitCode } = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd, okCodes: [0, 1, 128] })
  if (exitCode !== 0) throw new GitError(['rev-parse', branch], exitCode, '', cwd, `"${branch}" is not a branch of the repository in ${cwd}: pass a local branch name, e.g. main`)
  return new Set((await git(['rev-list', `refs/heads/${branch}`], { cwd })).split('\n'))
}
