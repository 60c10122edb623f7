import { performance } from 'node:perf_hooks'
import { defineGitVanCommand } from '../command'
import type { DevSession } from '../../dev/session'
import { loadConsola } from '../../utils/logger'
import { errorLine } from '../../utils/messages'
import { createReporter } from '../report'
import { commonArgs, jobSummaries, loadApp } from '../shared'
import { positiveInt, worktreesFlag } from './daemon'
import { portFlag } from './ui'
import { rerunFromPage } from '../page-rerun'

export default defineGitVanCommand({
  meta: { name: 'dev', description: 'Run the daemon with hot reload of jobs, composables, templates, plugins and config' },
  args: {
    'lookback': { type: 'string', description: 'Commits looked at for a branch never seen', valueHint: 'n' },
    'concurrency': { type: 'string', description: 'Runs at once', valueHint: 'n' },
    'worktrees': { type: 'string', description: 'Serve the `current` worktree or `all` of them', valueHint: 'current|all' },
    'json': { type: 'boolean', description: 'Log JSON lines' },
    'ui': { type: 'boolean', default: true, description: 'Serve the web page of runs on 127.0.0.1 (--no-ui: do not)' },
    'ui-port': { type: 'string', description: 'Port of the page (default 7370, or any free one when it is taken)', valueHint: 'n' },
    ...commonArgs,
  },
  async run({ args }) {
    const [{ startDevSession }, { watchConfig }, { c12Options }, { startUiServer }] = await Promise.all([import('../../dev/session'), import('c12'), import('../../config/load'), import('../../server/server')])
    const uiPort = portFlag(args['ui-port'], '--ui-port')
    const daemonOptions = { lookback: positiveInt(args.lookback, '--lookback'), concurrency: positiveInt(args.concurrency, '--concurrency'), worktrees: worktreesFlag(args.worktrees) }
    let app = await loadApp(args)
    const report = createReporter({ json: args.json, root: app.repo.root })
    let session: DevSession
    let queue = Promise.resolve()
    const start = async () => {
      session = await startDevSession(app, { ...daemonOptions, report, onRestart: files => enqueue(() => restart(files)) })
    }
    // A config or local plugin change: the app is created again, as on start (running jobs finish first).
    const restart = async (files: string[]) => {
      const started = performance.now()
      await session.close()
      await app.close()
      // The new app must not find the old one's modules (a changed local plugin, the jobs) in the module cache.
      await app.reloadModules()
      app = await loadApp(args)
      await start()
      await app.callHook('dev:reload', { files, config: true })
      report({ type: 'reload', files, config: true, jobs: (await app.scanJobs()).length, durationMs: Math.round(performance.now() - started) })
    }
    const enqueue = (task: () => Promise<void>) => {
      queue = queue.then(task).catch(error => report({ type: 'warn', message: `reload failed: ${errorLine(error)}` }))
    }

    await start()
    // One page for the whole session: it reads the repository, and asks the app of the moment for the jobs.
    const ui = args.ui ? await startUiServer({ cwd: app.repo.root, receiptsRef: app.options.receipts.ref, port: uiPort, jobs: () => jobSummaries(app), rerun: request => rerunFromPage(app, request) }) : null
    const config = await watchConfig({
      ...c12Options({ cwd: app.repo.root, configFile: args.config }),
      onUpdate: () => enqueue(() => restart(app.configFile ? [app.configFile] : [])),
    })
    if (ui) report({ type: 'ui', url: ui.url })
    if (!args.json) loadConsola().consola.withTag('gitvan').info('watching jobs, composables, templates, plugins and the config; Ctrl-C to stop')
    await new Promise<void>((resolve) => {
      let signals = 0
      const onSignal = () => {
        if (++signals > 1) process.exit(130)
        enqueue(async () => {
          await ui?.close()
          await config.unwatch()
          await session.close()
          await app.close()
        })
        void queue.then(resolve)
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
    })
    process.exit(0)
  },
})
