import { setTimeout as sleep } from 'node:timers/promises'
import type { RemoteSync } from './remote-sync'
import { tick } from './tick'
import type { DaemonCore } from './types'

/**
 * `--once`: tick until nothing is pending, running, waiting out a retry, or held by another live runner. Work
 * another runner holds is waited for, and said so; a runner that stops renewing its lease is judged dead within
 * `locks.ttl` and its work taken over; past a job's timeout plus twice the ttl, `--once` gives up with an error.
 */
export async function runOnce(core: DaemonCore, sync: RemoteSync | undefined): Promise<void> {
  const { app, options } = core
  const limit = app.options.jobs.timeout + 2 * app.options.locks.ttl
  let waitingSince: number | undefined
  let told = ''
  for (;;) {
    await sync?.now()
    // Commits that land while a backlog runs are part of it: each pass lists the refs again.
    core.snapshots.changed()
    const { queued, held: heldCount, waiting } = await tick(core)
    if (core.stopping) break
    if (queued > 0 || core.queue.size() > 0 || core.inFlight.size > 0) {
      await core.queue.idle()
      await core.session?.publisher.flush()
      waitingSince = undefined
      continue
    }
    if (heldCount === 0 && waiting === 0) break
    if (heldCount > 0) {
      waitingSince ??= Date.now()
      const holders = [...new Set(core.held.values())].sort().join(', ')
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
