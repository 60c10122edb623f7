import { claimWork } from '../locks/claims'
import { linkSignals } from '../utils/abort'
import { errorLine } from '../utils/messages'
import { itemId } from './plan'
import type { ItemProgress } from './progress'
import { itemStatus, progressOf } from './progress'
import { currentSession } from './runner-session'
import type { DaemonCore, Flight, WorkItem } from './types'

/** The progress of items as their receipts say, and the notes commit it was read at. */
export interface ProgressRead {
  progress: Map<string, ItemProgress>
  tip: string | null
}

/**
 * Claim `items` (those other runners hold are theirs), check their receipts once more under the claim (another
 * runner may have finished them before it), and queue the rest in order. Returns how many were queued.
 */
export async function dispatch(core: DaemonCore, items: WorkItem[], read: ProgressRead): Promise<number> {
  const { app, inFlight, settled, retryOnce } = core
  const byId = new Map(items.map(item => [itemId(item), item]))
  const current = await currentSession(core)
  const release = current.publisher.finished()
  const result = await claimWork(core.refs, current.runner, items.map(item => ({ item: itemId(item), groups: item.groups.map(({ name, max }) => ({ name, max })) })), core.liveness, { release })
  current.publisher.released(release)
  for (const { runner: who, why } of result.reclaimed) core.options.report({ type: 'warn', message: `took over the work of runner ${who}: ${why}` })
  for (const [id, holder] of result.held) core.held.set(id, holder)
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
    fresh = await app.receipts.unchangedSince(read.tip) ? read.progress : (await readProgress(core, granted)).progress
  } catch (error) {
    // Unread, they cannot run (the remote went away, say): the claim lets go of them and a later tick plans them.
    for (const item of granted) forgetFlight(core, { item, claim, session: current })
    throw error
  }
  const now = Date.now()
  const runnable = granted.filter((item) => {
    const status = itemStatus(item, fresh, now)
    if (status === 'todo' || (status === 'failed' && retryOnce.has(itemId(item)))) return true
    if (status === 'done' || status === 'failed') settled.add(itemId(item))
    forgetFlight(core, { item, claim, session: current })
    return false
  })
  core.queue.enqueue(runnable.map(item => ({ value: { item, claim, session: current }, groups: item.groups, supersede: item.job.job.skipIntermediate && item.line ? `${item.job.id}@${item.line}` : undefined })))
  return runnable.length
}

/** Run a queued item; `cancel` aborts it when a newer run of its group takes its place (it is then recorded). */
export async function runFlight(core: DaemonCore, flight: Flight, cancel: AbortSignal): Promise<void> {
  const { item } = flight
  const stop = linkSignals([core.shutdown.signal, flight.session.runner.signal])
  const run = linkSignals([stop.signal, cancel])
  core.runningNow.add(itemId(item))
  try {
    const { result, receipt, log } = await core.itemRunner.run(item, run.signal)
    // A run cut short by shutdown or a lost lease is not recorded: whoever holds the work next runs it again.
    if (stop.signal.aborted && !result.ok) return forgetFlight(core, flight)
    flight.session.publisher.add({ value: flight, receipt, log, on: item.noteOn, claim: flight.claim })
  } catch (error) {
    core.warnOnce(`run:${itemId(item)}`, `run of ${item.job.id} on ${item.key.slice(0, 40)} could not start: ${errorLine(error)}`)
    forgetFlight(core, flight)
  } finally {
    core.runningNow.delete(itemId(item))
    run.dispose()
    stop.dispose()
  }
}

/** An item claimed but not run and not recorded: the claim no longer waits for it, the next tick may plan it. */
export function forgetFlight(core: DaemonCore, flight: Flight): void {
  core.inFlight.delete(itemId(flight.item))
  flight.session.publisher.forget(flight.claim)
}

/** The progress of `items` from their receipts, and the notes commit it was read at. */
export async function readProgress(core: DaemonCore, items: WorkItem[]): Promise<ProgressRead> {
  const { receipts, invalid, tip } = await core.app.receipts.read([...new Set(items.map(item => item.noteOn))])
  for (const { sha, line } of invalid) core.warnOnce(`receipt:${sha}:${line}`, `skipping a receipt line on ${sha.slice(0, 7)} that is not a GitVan receipt: ${line.slice(0, 80)}`)
  return { progress: progressOf(receipts), tip }
}
