import { performance } from 'node:perf_hooks'
import { watchConfig } from 'c12'
import { watch } from 'chokidar'
import type { FSWatcher } from 'chokidar'
import { createGitVan } from '../app/create'
import type { CreateGitVanOptions } from '../app/create'
import { c12Options } from '../config/load'
import { writeTypes } from '../jobs/prepare'
import { resolve } from 'pathe'
import type { GitVanApp } from '../types/app'
import type { GitVanConfig } from '../types/config'
import { isWithin } from '../utils/paths'
import { createDaemon } from './daemon/daemon'
import type { Daemon, DaemonEvent, DaemonOptions } from './daemon/daemon'
import { errorLine } from '../utils/messages'

export type DevEvent = DaemonEvent | { type: 'reload'; files: string[]; config: boolean; jobs: number; durationMs: number }

export interface DevOptions extends CreateGitVanOptions, Pick<DaemonOptions, 'lookback' | 'concurrency' | 'worktrees'> {
  report: (event: DevEvent) => void
}

export interface DevServer {
  close: () => Promise<void>
}

/**
 * `gitvan dev`: the daemon, plus hot reload. A changed job, composable, util or template takes effect in place
 * (modules dropped and jobs loaded again; a broken job keeps its last good version); a changed config or local
 * plugin restarts the app cleanly (running jobs finish, leases are released). Types are written on each change.
 */
export async function startDev(options: DevOptions): Promise<DevServer> {
  let app: GitVanApp
  let daemon: Daemon
  let running: Promise<void>
  let watcher: FSWatcher
  let pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let queue = Promise.resolve()
  let closed = false

  async function start(): Promise<void> {
    app = await createGitVan(options)
    await writeTypes(app)
    daemon = createDaemon(app, { ...options, report: options.report })
    running = daemon.run().catch(error => options.report({ type: 'warn', message: `daemon stopped: ${(error as Error).message}` }))
    watcher = watch([...app.jobsDirs, ...app.templatesDirs, ...app.importsDirs, pluginsDirOf(app)], {
      ignoreInitial: true,
      ignored: (path: string) => /(^|\/)(node_modules|\.git|\.gitvan)(\/|$)/.test(path),
    })
    watcher.on('all', (_event, file) => {
      pending.add(file)
      clearTimeout(timer)
      // Editors write a file in several steps; one reload per burst.
      timer = setTimeout(() => enqueue(() => reload(false)), 20)
    })
  }

  async function stop(): Promise<void> {
    clearTimeout(timer)
    await watcher.close()
    await daemon.stop()
    await running
    await app.close()
  }

  async function reload(configChanged: boolean): Promise<void> {
    if (closed) return
    const started = performance.now()
    const files = [...pending]
    pending = new Set()
    const restart = configChanged || files.some(file => isWithin(pluginsDirOf(app), file))
    if (restart) {
      await stop()
      await start()
    } else {
      await app.reloadModules()
      await daemon.reloadJobs()
      await writeTypes(app)
    }
    const jobs = (await app.scanJobs()).length
    await app.callHook('dev:reload', { files, config: restart })
    options.report({ type: 'reload', files, config: restart, jobs, durationMs: Math.round(performance.now() - started) })
  }

  function enqueue(task: () => Promise<void>): void {
    queue = queue.then(task).catch(error => options.report({ type: 'warn', message: `reload failed: ${errorLine(error)}` }))
  }

  await start()
  const config = await watchConfig<GitVanConfig>({
    ...c12Options({ cwd: app!.repo.root, configFile: options.configFile, overrides: options.overrides }),
    onUpdate: () => enqueue(() => reload(true)),
  })
  return {
    async close() {
      closed = true
      await config.unwatch()
      await queue
      await stop()
    },
  }
}

function pluginsDirOf(app: GitVanApp): string {
  return resolve(app.options.rootDir, app.options.pluginsDir)
}
