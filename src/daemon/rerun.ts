import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import picomatch from 'picomatch'
import { chooseRunWorktree } from '../app/run-worktree'
import { git, runGit } from '../git/command'
import { GitError } from '../git/error'
import { resolveCommit } from '../git/rev'
import { UnknownJobError } from '../jobs/registry'
import { readReceipts } from '../receipts/store'
import type { GitVanApp } from '../types/app'
import type { ExecResult } from '../types/exec'
import type { JobTrigger } from '../types/job'
import type { Receipt } from '../types/receipt'
import { errorLine } from '../utils/messages'
import { createLimiter, executeItems } from './executor'
import type { ItemOutcome } from './executor'
import { receiptKey } from './progress'
import { compileTriggers } from './triggers'
import type { WorkItem } from './types'

/**
 * A (job, key) pair as its receipts tell it: the daemon's unit of exactly-once. `key` is the commit for commit
 * (and manual) runs, `tag:<name>`, `branch:<name>` or `schedule:<slot>` for the others.
 */
export interface RunPair {
  job: string
  key: string
  /** The commit its receipts are on. */
  sha: string
  /** `succeeded` once any run did; else `failed` when its last run failed, `cancelled` when it was cancelled. */
  status: 'failed' | 'succeeded' | 'cancelled'
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
  /** Only pairs on commits reachable from this branch. */
  branch?: string
}

/**
 * What happened to a pair: `ran` (a new receipt, in `receipt`), `not-failed` (its last run did not fail: nothing
 * done), `done` (it succeeded meanwhile, under the lease: nothing done), `unknown-job` / `broken-job` (its job file
 * is gone or does not load: nothing done), `held` (another process kept its lease past `leaseWait`), `lost` (its
 * lease was taken over while it ran: the receipt is the new holder's business), `aborted` (`signal`).
 */
export type RerunOutcome = 'ran' | 'not-failed' | 'done' | 'unknown-job' | 'broken-job' | 'held' | 'lost' | 'aborted'

export interface RerunResult {
  pair: RunPair
  outcome: RerunOutcome
  /** Why, for `unknown-job` and `broken-job`. */
  message?: string
  result?: ExecResult
  receipt?: Receipt
}

export interface RerunOptions {
  /** Stop waiting for leases and abort runs (Ctrl-C). */
  signal?: AbortSignal
  /** How long to wait for a lease another process holds, in ms (default: twice `locks.ttl`). */
  leaseWait?: number
  /** Told of each run once its receipt is in Git. */
  onRun?: (result: RerunResult) => void
}

/** Every pair with receipts, oldest last run first (nested `exec: 'job'` runs are not pairs). */
export async function readPairs(app: GitVanApp, filter: PairFilter = {}): Promise<RunPair[]> {
  const cwd = app.repo.root
  const { receipts } = await readReceipts(cwd, app.options.receipts.ref, filter.sha ? [filter.sha] : undefined)
  const wanted = filter.job === undefined ? () => true : matchJob(filter.job)
  const byPair = new Map<string, Receipt[]>()
  for (const receipt of receipts) {
    const key = receiptKey(receipt)
    if (key === null || !wanted(receipt.job)) continue
    const id = `${receipt.job}\0${key}`
    byPair.set(id, [...(byPair.get(id) ?? []), receipt])
  }
  let pairs = [...byPair.values()].map((list): RunPair => {
    const last = list.at(-1)!
    const status = list.some(receipt => receipt.ok) ? 'succeeded' : last.status === 'cancelled' ? 'cancelled' : 'failed'
    const trigger = list.findLast(receipt => receipt.trigger.type !== 'manual')?.trigger ?? { type: 'commit', sha: last.sha, branch: null }
    return { job: last.job, key: receiptKey(last)!, sha: last.sha, status, last, trigger }
  })
  if (filter.branch !== undefined) {
    const reachable = await commitsOf(cwd, filter.branch)
    pairs = pairs.filter(pair => reachable.has(pair.sha))
  }
  return pairs.sort((a, b) => a.last.finishedAt.localeCompare(b.last.finishedAt))
}

/**
 * Run failed pairs again, exactly once each across every daemon and rerun of the repository: each run takes the
 * lease the daemon takes for its pair, re-reads the pair's receipts under it, runs only when no run succeeded
 * meanwhile, and publishes its receipt fenced by the lease (`executeItems`). A pair whose lease another process
 * holds is tried again until `leaseWait`. The new receipt has the trigger of the pair's runs, so it settles the
 * pair for the daemon. Pairs that are not `failed` are left alone (`not-failed`).
 */
export async function rerunPairs(app: GitVanApp, pairs: RunPair[], options: RerunOptions = {}): Promise<RerunResult[]> {
  const results = new Map<RunPair, RerunResult>()
  const items = new Map<WorkItem, RunPair>()
  for (const pair of pairs) {
    if (pair.status !== 'failed') {
      results.set(pair, { pair, outcome: 'not-failed' })
      continue
    }
    try {
      items.set(await workItemOf(app, pair), pair)
    } catch (error) {
      results.set(pair, { pair, outcome: error instanceof UnknownJobError ? 'unknown-job' : 'broken-job', message: errorLine(error) })
    }
  }

  const signal = options.signal ?? new AbortController().signal
  const executor = {
    app,
    owner: `${hostname()}:${process.pid}:rerun`,
    limit: createLimiter(app.options.daemon.concurrency),
    signal,
    onRun: (item: WorkItem, result: ExecResult, receipt: Receipt) => {
      const done: RerunResult = { pair: items.get(item)!, outcome: 'ran', result, receipt }
      results.set(done.pair, done)
      options.onRun?.(done)
    },
  }
  const deadline = Date.now() + (options.leaseWait ?? 2 * app.options.locks.ttl)
  let pending = [...items.keys()]
  while (pending.length > 0) {
    const outcomes = await executeItems(pending, executor)
    const held = pending.filter(item => outcomes.get(item) === 'held')
    for (const item of pending) {
      const outcome: ItemOutcome = outcomes.get(item)!
      if (outcome !== 'held' && outcome !== 'ran') results.set(items.get(item)!, { pair: items.get(item)!, outcome })
    }
    if (held.length === 0 || signal.aborted || Date.now() >= deadline) {
      for (const item of held) results.set(items.get(item)!, { pair: items.get(item)!, outcome: signal.aborted ? 'aborted' : 'held' })
      break
    }
    // As `gitvan daemon --once` does: the holder finishes (or its lease expires), then we try again.
    await sleep(Math.min(500, app.options.locks.ttl / 4), undefined, { signal }).catch(() => {})
    pending = held
  }
  return pairs.map(pair => results.get(pair)!)
}

/** The item the daemon would run for `pair`. */
async function workItemOf(app: GitVanApp, pair: RunPair): Promise<WorkItem> {
  const job = await app.loadJob(pair.job)
  const { trigger } = pair
  const branch = trigger.type === 'commit' || trigger.type === 'branch' ? trigger.branch : trigger.type === 'schedule' ? app.repo.branch : null
  const commitTime = trigger.type === 'schedule' ? Date.parse(trigger.slot) / 1000 : (await resolveCommit(app.repo.root, pair.sha)).commitTime
  return {
    job: { id: pair.job, job, triggers: compileTriggers(job.on) },
    key: pair.key,
    sha: pair.sha,
    trigger,
    branch,
    commitTime,
    place: await chooseRunWorktree(app, branch),
  }
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
