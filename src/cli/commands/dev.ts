import { defineCommand } from 'citty'
import { consola } from 'consola'
import { reportJson, reportText } from '../report'
import { commonArgs, resolveCwd } from '../shared'
import { positiveInt, worktreesFlag } from './daemon'

export default defineCommand({
  meta: { name: 'dev', description: 'Run the daemon with hot reload of jobs, composables, templates, plugins and config' },
  args: {
    lookback: { type: 'string', description: 'Commits looked at for a branch never seen', valueHint: 'n' },
    concurrency: { type: 'string', description: 'Runs at once', valueHint: 'n' },
    worktrees: { type: 'string', description: 'Serve the `current` worktree or `all` of them', valueHint: 'current|all' },
    json: { type: 'boolean', description: 'Log JSON lines' },
    ...commonArgs,
  },
  async run({ args }) {
    const { startDev } = await import('../../runtime/dev')
    const report = args.json ? reportJson : reportText
    const server = await startDev({
      cwd: resolveCwd(args.cwd),
      configFile: args.config,
      lookback: positiveInt(args.lookback, '--lookback'),
      concurrency: positiveInt(args.concurrency, '--concurrency'),
      worktrees: worktreesFlag(args.worktrees),
      report,
    })
    if (!args.json) consola.withTag('gitvan').info('watching jobs, composables, templates, plugins and the config; Ctrl-C to stop')
    await new Promise<void>((resolve) => {
      let signals = 0
      const onSignal = () => {
        if (++signals > 1) process.exit(130)
        void server.close().then(resolve)
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
    })
    process.exit(0)
  },
})
