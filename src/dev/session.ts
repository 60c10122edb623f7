import { performance } from 'node:perf_hooks'
import { watch } from 'chokidar'
import { resolve } from 'pathe'
import { createDaemon } from '../daemon/daemon'
import type { DaemonEvent, DaemonOptions } from '../daemon/daemon'
import { writeTypes } from '../jobs/prepare'
import type { GitVanApp } from '../types/app'
import { errorLine } from '../utils/messages'
import { isWithin } from '../utils/paths'

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
 * takes effect in place (modules dropped and jobs loaded again; a broken job keeps its last good version) and
 * types are written again. A changed local plugin cannot be reloaded in place: `onRestart` hands it to the caller,
 * which owns the app (`gitvan dev` creates it, and creates it again on a config or plugin change).
 */
export async function startDevSession(app: GitVanApp, options: DevSessionOptions): Promise<DevSession> {
  const pluginsDir = resolve(app.options.rootDir, app.options.pluginsDir)
  let pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let queue = Promise.resolve()
  let closed = false

  await writeTypes(app)
  const daemon = createDaemon(app, { ...options, report: options.report })
  const running = daemon.run().catch(error => options.report({ type: 'warn', message: `daemon stopped: ${errorLine(error)}` }))
  const watcher = watch([...app.jobsDirs, ...app.templatesDirs, ...app.importsDirs, pluginsDir], {
    ignoreInitial: true,
    ignored: (path: string) => /(^|\/)(node_modules|\.git|\.gitvan)(\/|$)/.test(path),
  })
  // Until chokidar's first scan is done, a change is not seen: `gitvan dev` says it watches only after that.
  await new Promise<void>(resolve => watcher.once('ready', () => resolve()))
  watcher.on('all', (_event, file) => {
    pending.add(file)
    clearTimeout(timer)
    // Editors write a file in several steps; one reload per burst.
    timer = setTimeout(() => {
      queue = queue.then(reload).catch(error => options.report({ type: 'warn', message: `reload failed: ${errorLine(error)}` }))
    }, 20)
  })

  async function reload(): Promise<void> {
    if (closed) return
    const started = performance.now()
    const files = [...pending]
    pending = new Set()
    if (files.some(file => isWithin(pluginsDir, file))) return options.onRestart(files)
    await app.reloadModules()
    await daemon.reloadJobs()
    await writeTypes(app)
    const jobs = (await app.scanJobs()).length
    await app.callHook('dev:reload', { files, config: false })
    options.report({ type: 'reload', files, config: false, jobs, durationMs: Math.round(performance.now() - started) })
  }

  return {
    async close() {
      closed = true
      clearTimeout(timer)
      await watcher.close()
      await queue
      await daemon.stop()
      await running
    },
  }
}
