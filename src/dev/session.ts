import { performance } from 'node:perf_hooks'
import { watch } from 'chokidar'
import { resolve } from 'pathe'
import { createDaemon } from '../daemon/daemon'
import type { DaemonEvent, DaemonOptions } from '../types/daemon'
import { writeTypes } from '../jobs/prepare'
import type { GitVanApp } from '../types/app'
import { readTextFile } from '../utils/fs'
import { errorLine } from '../utils/messages'
import { isWithin } from '../utils/paths'

/** How long chokidar ignores a file's changes after it reported one. */
const CHOKIDAR_THROTTLE_MS = 50

export type DevEvent = DaemonEvent | { type: 'reload'; files: string[]; config: boolean; jobs: number; durationMs: number } | { type: 'ui'; url: string }

export interface DevSessionOptions extends Pick<DaemonOptions, 'lookback' | 'concurrency' | 'worktrees'> {
  report: (event: DevEvent) => void
  /** A local plugin changed: the caller creates the app again (as for a config change) and starts a new session. */
  onRestart: (files: string[]) => void
}

export interface DevSession {
  /** Stop watching and stop the daemon (running jobs finish, leases are released); the app stays open. */
  close: () => Promise<void>
}

/**
 * One app's life under `gitvan dev`: its daemon, plus hot reload. A changed job, composable, util or template
 * takes effect in place (the changed modules and those importing them are dropped, and jobs loaded again from
 * what is left; a broken job keeps its last good version) and types are written again when they may differ. A
 * changed local plugin cannot be reloaded in place: `onRestart` hands it to the caller, which owns the app
 * (`gitvan dev` creates it, and creates it again on a config or plugin change).
 */
export async function startDevSession(app: GitVanApp, options: DevSessionOptions): Promise<DevSession> {
  const pluginsDir = resolve(app.options.rootDir, app.options.pluginsDir)
  let pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let queue = Promise.resolve()
  let closed = false
  const reportedAt = new Map<string, number>()
  const rechecks = new Set<NodeJS.Timeout>()

  await writeTypes(app)
  let typedJobs = jobIds((await app.scanJobs()).map(job => job.id))
  const daemon = createDaemon(app, { ...options, report: options.report })
  const running = daemon.run().catch(error => options.report({ type: 'warn', message: `daemon stopped: ${errorLine(error)}` }))
  const watcher = watch([...app.jobsDirs, ...app.templatesDirs, ...app.importsDirs, pluginsDir], {
    ignoreInitial: true,
    ignored: (path: string) => /(^|\/)(node_modules|\.git|\.gitvan)(\/|$)/.test(path),
  })
  // Until chokidar's first scan is done, a change is not seen: `gitvan dev` says it watches only after that.
  await new Promise<void>(resolve => watcher.once('ready', () => resolve()))
  watcher.on('all', (_event, file) => {
    reportedAt.set(file, performance.now())
    changed([file])
  })

  function changed(files: string[]): void {
    for (const file of files) pending.add(file)
    clearTimeout(timer)
    // Editors write a file in several steps; one reload per burst.
    timer = setTimeout(() => {
      queue = queue.then(reload).catch(error => options.report({ type: 'warn', message: `reload failed: ${errorLine(error)}` }))
    }, 20)
  }

  /**
   * chokidar drops the changes of a file for 50 ms after it reported one: a file written again that soon (a formatter
   * after the editor's save, a script) would keep the first version. Once that window is over, the files of a reload
   * are read again, and those that differ from what the reload read are reloaded.
   */
  function recheck(files: Map<string, string | undefined>): void {
    const last = Math.max(...[...files.keys()].map(file => reportedAt.get(file) ?? 0))
    const timer = setTimeout(() => {
      rechecks.delete(timer)
      const again = [...files].filter(([file, text]) => readTextFile(file) !== text).map(([file]) => file)
      if (again.length > 0 && !closed) changed(again)
    }, Math.max(0, last + CHOKIDAR_THROTTLE_MS + 10 - performance.now()))
    rechecks.add(timer)
  }

  async function reload(): Promise<void> {
    if (closed) return
    const started = performance.now()
    const files = [...pending]
    pending = new Set()
    recheck(new Map(files.map(file => [file, readTextFile(file)])))
    if (files.some(file => isWithin(pluginsDir, file))) return options.onRestart(files)
    // The changed modules and those importing them are read again; the other jobs come back from the module cache.
    const dropped = await app.reloadModules(files)
    const loaded = await daemon.reloadJobs()
    const jobs = jobIds([...loaded.jobs.map(job => job.id), ...loaded.broken.keys()])
    // The types name the job ids and the auto-imports: written again only when those may have changed (the
    // auto-imports did when every module was dropped: an export was added, renamed or removed).
    if (jobs.join('\n') !== typedJobs.join('\n') || dropped === 'all') {
      await writeTypes(app)
      typedJobs = jobs
    }
    await app.callHook('dev:reload', { files, config: false })
    options.report({ type: 'reload', files, config: false, jobs: jobs.length, durationMs: Math.round(performance.now() - started) })
  }

  return {
    async close() {
      closed = true
      clearTimeout(timer)
      for (const recheck of rechecks) clearTimeout(recheck)
      await watcher.close()
      await queue
      await daemon.stop()
      await running
    },
  }
}

/** The job ids, sorted: what `.gitvan/types/jobs.d.ts` lists. */
function jobIds(ids: string[]): string[] {
  return [...new Set(ids)].sort()
}
