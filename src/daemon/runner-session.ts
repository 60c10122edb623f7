import { RemoteUnreachableError } from '../git/remote'
import { claimWork } from '../locks/claims'
import { startRunner } from '../locks/runners'
import { errorLine } from '../utils/messages'
import { pendingByWorktree } from './backlog'
import { itemId } from './plan'
import type { FinishedRun } from './publish'
import { createPublisher } from './publish'
import type { DaemonCore, Flight, Session } from './types'

/** A runner lease and the publisher fenced by it. A runner that lost its lease (judged dead) is replaced. */
export async function startSession(core: DaemonCore): Promise<Session> {
  const { app, queue } = core
  const runner = await startRunner(core.refs, {
    ttl: app.options.locks.ttl,
    // What `gitvan status` shows of this daemon, as of its last renewal.
    info: () => ({ version: app.version, startedAt: core.startedAt, worktree: core.self.id, running: [...core.runningNow].slice(0, 20), queued: queue.size() - queue.running(), pending: pendingByWorktree(core) }),
    onProblem: message => core.options.report({ type: 'warn', message }),
  })
  const publisher = createPublisher<Flight>({
    refs: core.refs,
    store: app.receipts,
    runner,
    busy: () => queue.size() > queue.running(),
    onPublished: runs => onPublished(core, runs),
    onDropped: (runs, why) => onDropped(core, runs, why),
    onProblem: message => core.options.report({ type: 'warn', message }),
  })
  return { runner, publisher }
}

export async function currentSession(core: DaemonCore): Promise<Session> {
  const { session } = core
  if (session?.runner.lease()) return session
  if (session) core.options.report({ type: 'warn', message: `runner ${session.runner.owner} lost its lease (another daemon judged it dead): its runs stop, and it starts again as a new runner` })
  core.session = await startSession(core)
  return core.session
}

/** Claims whose work is published are released with the next claim, or after a quiet second. */
function scheduleRelease(core: DaemonCore): void {
  clearTimeout(core.releaseTimer)
  core.releaseTimer = setTimeout(() => {
    const current = core.session
    const release = current?.publisher.finished() ?? []
    if (!current || release.length === 0 || core.stopping) return
    claimWork(core.refs, current.runner, [], core.liveness, { release })
      .then(() => current.publisher.released(release))
      .catch((error) => {
        // An outage is said once (see `startSync`); the release waits for the remote like everything else.
        if (!(error instanceof RemoteUnreachableError)) core.warnOnce(`release:${errorLine(error)}`, `releasing finished claims failed (retried with the next claim): ${errorLine(error)}`)
      })
  }, 1000)
  core.releaseTimer.unref()
}

function onPublished(core: DaemonCore, runs: FinishedRun<Flight>[]): void {
  const { slotsDone } = core
  scheduleRelease(core)
  for (const { value: { item }, receipt } of runs) {
    core.inFlight.delete(itemId(item))
    core.retryOnce.delete(itemId(item))
    if (receipt.ok || receipt.status === 'cancelled') core.settled.add(itemId(item))
    if (item.trigger.type === 'schedule') slotsDone.set(item.job.id, item.trigger.slot > (slotsDone.get(item.job.id) ?? '') ? item.trigger.slot : slotsDone.get(item.job.id)!)
    core.options.report({
      type: 'run', job: item.job.id, sha: item.sha, status: receipt.status, durationMs: receipt.durationMs, trigger: item.trigger, worktree: item.place.id,
      ...(receipt.error ? { error: receipt.error } : {}), ...(receipt.reason ? { reason: receipt.reason } : {}),
    })
  }
  core.requestTick()
}

function onDropped(core: DaemonCore, runs: FinishedRun<Flight>[], why: string): void {
  for (const { value } of runs) core.inFlight.delete(itemId(value.item))
  core.options.report({ type: 'warn', message: `${runs.length} receipt(s) not recorded: ${why}; another daemon runs that work again` })
}
