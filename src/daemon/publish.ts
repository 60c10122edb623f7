import { setTimeout as sleep } from 'node:timers/promises'
import { casBackoff } from '../git/cas'
import { releaseOps } from '../locks/claims'
import { leaseVerifyOp } from '../locks/lease'
import type { Runner } from '../locks/runners'
import type { ReceiptStore } from '../receipts/store'
import type { Receipt } from '../types/receipt'
import { errorLine } from '../utils/messages'

/** A run whose receipt waits to be published, and the claim it was run under. */
export interface FinishedRun<T> {
  value: T
  receipt: Receipt
  /** The commit whose note holds the receipt, when not `receipt.sha` (a schedule slot's anchor). */
  on?: string
  claim: string
}

export interface PublisherOptions<T> {
  cwd: string
  store: ReceiptStore
  runner: Runner
  /** Publish once this many runs finished (default 512)... */
  batch?: number
  /** ...or this many milliseconds after the first of them finished (default 200). */
  interval?: number
  /** The receipts of these runs are in Git. */
  onPublished: (runs: FinishedRun<T>[]) => void
  /** These runs' receipts were not published because the runner lost its lease: another runner does them. */
  onDropped: (runs: FinishedRun<T>[], why: string) => void
  onProblem: (message: string) => void
}

export interface Publisher<T> {
  /** A claim was granted for `count` items: it is released with the receipt of the last of them. */
  track: (claim: string, count: number) => void
  /** One item of `claim` ends without a receipt (shutdown, not run): it no longer holds the claim open. */
  forget: (claim: string) => void
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
 * this one dead (and took its claims), nothing of it lands, and its runs are left to the new holder. A claim is
 * released in the same transaction as the receipt of its last item, so nobody else can run an item between its
 * claim ending and its receipt appearing. Publishing goes on while runs go on: a slow run holds back no receipt.
 */
export function createPublisher<T>(options: PublisherOptions<T>): Publisher<T> {
  const open = new Map<string, number>()
  let waiting: FinishedRun<T>[] = []
  let timer: NodeJS.Timeout | undefined
  let chain = Promise.resolve()

  /** Claims with nothing left to run or publish once `runs` are in. */
  const finishing = (runs: FinishedRun<T>[]) => {
    const left = new Map(open)
    for (const run of runs) left.set(run.claim, (left.get(run.claim) ?? 0) - 1)
    return [...left].filter(([, count]) => count <= 0).map(([claim]) => claim)
  }

  async function publish(runs: FinishedRun<T>[], extraClaims: string[] = []): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const lease = options.runner.lease()
      if (!lease) return options.onDropped(runs, 'this runner lost its lease')
      const claims = [...new Set([...finishing(runs), ...extraClaims])].filter(claim => open.has(claim))
      if (runs.length === 0 && claims.length === 0) return
      try {
        const fence = [leaseVerifyOp(lease), ...(await releaseOps(options.cwd, claims))]
        if (await options.store.publish(runs.map(run => ({ receipt: run.receipt, on: run.on })), fence)) {
          for (const run of runs) open.set(run.claim, (open.get(run.claim) ?? 0) - 1)
          for (const claim of claims) open.delete(claim)
          return options.onPublished(runs)
        }
      } catch (error) {
        options.onProblem(`publishing ${runs.length} receipt(s) failed, retrying: ${errorLine(error)}`)
      }
      // The notes ref or the ledger moved (another runner published or claimed), or git was busy: build again.
      await sleep(casBackoff(Math.min(attempt, 6)))
    }
  }

  function schedule(): void {
    if (timer || waiting.length === 0) return
    timer = setTimeout(() => void flush(), options.interval ?? 200)
    timer.unref()
  }

  function flush(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    const runs = waiting
    waiting = []
    if (runs.length > 0) chain = chain.then(() => publish(runs))
    return chain
  }

  return {
    track: (claim, count) => open.set(claim, (open.get(claim) ?? 0) + count),
    forget: (claim) => {
      open.set(claim, (open.get(claim) ?? 0) - 1)
      // Its last item ended without a receipt: release the claim now rather than with some later batch.
      if (open.get(claim)! <= 0) chain = chain.then(() => publish([], [claim]))
    },
    add(run) {
      waiting.push(run)
      if (waiting.length >= (options.batch ?? 512)) void flush()
      else schedule()
    },
    flush,
    pending: () => waiting.length,
    async close() {
      await flush()
      const left = [...open.keys()]
      if (left.length > 0) chain = chain.then(() => publish([], left))
      await chain
    },
  }
}
