import { setTimeout as sleep } from 'node:timers/promises'
import { casBackoff } from '../git/cas'
import { RemoteUnreachableError } from '../git/remote'
import { releaseOps } from '../locks/claims'
import type { Runner } from '../locks/runners'
import type { ReceiptStore } from '../receipts/store'
import type { RefStore } from '../types/git'
import type { RunLog } from '../types/log'
import type { Receipt } from '../types/receipt'
import { errorLine } from '../utils/messages'

/** A run whose receipt waits to be published, and the claim it was run under. */
export interface FinishedRun<T> {
  value: T
  receipt: Receipt
  /** The run's log, written with its receipt. */
  log?: RunLog
  /** The commit whose note holds the receipt, when not `receipt.sha` (a schedule slot's anchor). */
  on?: string
  claim: string
}

export interface PublisherOptions<T> {
  /** Where the claims ledger is decided (the receipts go through `store`). */
  refs: RefStore
  store: ReceiptStore
  runner: Runner
  /** Publish once this many runs finished (default 512)... */
  batch?: number
  /** ...or this many milliseconds after the first of them finished (default 200). */
  interval?: number
  /** More runs are coming (a backlog): batches grow with it, waiting up to `BUSY_WAIT` ms. */
  busy?: () => boolean
  /** The receipts of these runs are in Git. */
  onPublished: (runs: FinishedRun<T>[]) => void
  /** These runs' receipts were not published because the runner lost its lease: another runner does them. */
  onDropped: (runs: FinishedRun<T>[], why: string) => void
  onProblem: (message: string) => void
}

export interface Publisher<T> {
  /** A claim was granted for `count` items: it is done once the receipt of the last of them is in Git. */
  track: (claim: string, count: number) => void
  /** One item of `claim` ends without a receipt (shutdown, not run): it no longer holds the claim open. */
  forget: (claim: string) => void
  /** Claims whose every item is published (or ended without a receipt): to release with the next ledger write. */
  finished: () => string[]
  /** These claims were released (by a ledger write of the caller). */
  released: (claims: readonly string[]) => void
  add: (run: FinishedRun<T>) => void
  /** Publish what is waiting now; resolves once it is in Git (or dropped). */
  flush: () => Promise<void>
  /** Runs waiting to be published. */
  pending: () => number
  /** Flush, then release every claim still open (their other items end without receipts). */
  close: () => Promise<void>
}

/**
 * Receipts go to Git in batches, each in one transaction fenced by the runner's lease: if another runner judged
 * this one dead (and took its claims), nothing of it lands, and its runs are left to the new holder. A claim whose
 * items are all published is released later, with the runner's next ledger write (or on close): releasing after
 * the receipts are in is always safe (nobody may run an item while it is claimed, and nobody needs to once its
 * receipt is there), and it saves a ledger write per batch. Publishing goes on while runs go on: a slow run holds
 * back no receipt. While a remote is out of reach, finished runs wait here and are published once it answers.
 */
/** The most receipts in one notes commit. */
const MAX_BATCH = 4096
/** While runs keep coming, the longest a finished run waits for its batch to fill. */
const BUSY_WAIT = 2000

export function createPublisher<T>(options: PublisherOptions<T>): Publisher<T> {
  const open = new Map<string, number>()
  const done = new Set<string>()
  const waiting: FinishedRun<T>[] = []
  let timer: NodeJS.Timeout | undefined
  let chain = Promise.resolve()
  /** A publish waits in `chain` that has not started: it will take the runs added meanwhile. */
  let queued = false
  /** Receipts published since the runs last stopped coming. */
  let burst = 0

  const settle = (claim: string, by: number) => {
    const left = (open.get(claim) ?? 0) - by
    open.set(claim, left)
    if (left <= 0) done.add(claim)
  }

  async function publish(runs: FinishedRun<T>[]): Promise<void> {
    const entries = runs.map(run => ({ receipt: run.receipt, on: run.on, log: run.log }))
    for (let attempt = 0; ; attempt++) {
      if (!options.runner.lease()) return options.onDropped(runs, 'this runner lost its lease')
      let away = false
      try {
        if (await options.runner.fenced(fence => options.store.publish(entries, fence))) {
          burst = options.busy?.() ? burst + runs.length : 0
          for (const run of runs) settle(run.claim, 1)
          return options.onPublished(runs)
        }
      } catch (error) {
        // An outage is said once by the daemon; the receipts wait for the remote.
        away = error instanceof RemoteUnreachableError
        if (!away) options.onProblem(`publishing ${runs.length} receipt(s) failed, retrying: ${errorLine(error)}`)
      }
      // The notes ref moved (another runner published), or git was busy: build again.
      await sleep(away ? 1000 : casBackoff(Math.min(attempt, 6)))
    }
  }

  /** Release every claim of this runner still in the ledger: its last write, fenced by its lease. */
  async function releaseAll(): Promise<void> {
    const claims = [...new Set([...open.keys(), ...done])]
    if (claims.length === 0 || !options.runner.lease()) return
    for (let attempt = 0; attempt < 50; attempt++) {
      const ops = await releaseOps(options.refs, claims)
      if (ops.length === 0 || await options.runner.fenced(async fence => (await options.refs.transaction([...ops, ...fence])) || null)) break
      if (!options.runner.lease()) break
      await sleep(casBackoff(Math.min(attempt, 6)))
    }
    open.clear()
    done.clear()
  }

  /**
   * How many finished runs make a batch. Each notes commit rewrites the fan-out trees it touches, all of them
   * past a few hundred receipts, at a cost that grows with every note written so far: during a backlog, a batch
   * waits for half of what the backlog published already, so the number of notes commits grows with the log of
   * its length rather than its length. A quiet daemon publishes at once.
   */
  const due = () => Math.min(MAX_BATCH, Math.max(options.batch ?? 512, Math.floor(burst / 2)))

  function schedule(): void {
    if (timer || waiting.length === 0) return
    timer = setTimeout(() => void startPublish(), options.busy?.() ? BUSY_WAIT : options.interval ?? 200)
    timer.unref()
  }

  /** One publish at a time, taking what waits when it starts: while one is in Git's hands the next batch grows. */
  function startPublish(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    if (waiting.length === 0 || queued) return chain
    queued = true
    chain = chain.then(() => {
      queued = false
      const runs = waiting.splice(0, MAX_BATCH)
      if (waiting.length > 0) void startPublish()
      return runs.length > 0 ? publish(runs) : undefined
    })
    return chain
  }

  async function flush(): Promise<void> {
    while (waiting.length > 0 || queued) await startPublish()
    await chain
  }

  return {
    track: (claim, count) => open.set(claim, (open.get(claim) ?? 0) + count),
    forget: claim => settle(claim, 1),
    finished: () => [...done],
    released(claims) {
      for (const claim of claims) {
        done.delete(claim)
        open.delete(claim)
      }
    },
    add(run) {
      waiting.push(run)
      if (waiting.length >= due()) void startPublish()
      else schedule()
    },
    flush,
    pending: () => waiting.length,
    async close() {
      await flush()
      await releaseAll()
    },
  }
}
