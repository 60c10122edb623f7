import { defineGitVanCommand } from '../command'
import { createFailureTally } from '../failure-tally'
import { createReporter, reportText } from '../report'
import { commonArgs, loadApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'daemon', description: 'Run jobs on new commits, tags, branches and schedules (foreground; `gitvan daemon status` reports)' },
  args: {
    'action': { type: 'positional', required: false, description: '`status` to report instead of running', valueHint: 'status' },
    'once': { type: 'boolean', description: 'Process everything pending, then exit (CI)' },
    'lookback': { type: 'string', description: 'Commits looked at for a branch never seen (default daemon.lookback)', valueHint: 'n' },
    'concurrency': { type: 'string', description: 'Runs at once (default daemon.concurrency)', valueHint: 'n' },
    'worktrees': { type: 'string', description: 'Serve the `current` worktree or `all` of them', valueHint: 'current|all' },
    'retry-failed': { type: 'boolean', description: 'Run again what failed and used up its retries' },
    'allow-failures': { type: 'boolean', description: 'With --once: exit 0 even when a run failed or a job file is broken' },
    'json': { type: 'boolean', description: 'Log JSON lines' },
    ...commonArgs,
  },
  async run({ args }) {
    if (args.action === 'status') {
      const { printStatus } = await import('../status')
      return printStatus(args)
    }
    if (args.action !== undefined) throw new Error(`Unknown daemon action "${args.action}": use \`gitvan daemon\` to run it or \`gitvan daemon status\``)
    if (args['allow-failures'] && !args.once) throw new Error('--allow-failures only changes the exit code of --once: add --once, or drop it')
    const app = await loadApp(args)
    const print = createReporter({ json: args.json, root: app.repo.root })
    const tally = createFailureTally()
    const { createDaemon } = await import('../../daemon/daemon')
    const daemon = createDaemon(app, {
      once: args.once,
      lookback: positiveInt(args.lookback, '--lookback'),
      concurrency: positiveInt(args.concurrency, '--concurrency'),
      worktrees: worktreesFlag(args.worktrees),
      retryFailed: args['retry-failed'],
      report: (event) => {
        tally.observe(event)
        print(event)
      },
    })
    let signals = 0
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        reportText({ type: 'warn', message: `second ${signal}: exiting now, leases expire after locks.ttl` })
        process.exit(130)
      }
      reportText({ type: 'warn', message: `${signal}: finishing running jobs (up to ${app.options.daemon.grace} ms), then exiting` })
      void daemon.stop(signal)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    try {
      await daemon.run()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await app.close()
    }
    // Stopped by a signal: receipts are flushed and leases released by now, but a run abandoned after the grace
    // (a job ignoring its abort signal) may still hold timers or sockets, which must not keep the process alive.
    if (signals > 0) process.exit()
    const failures = args.once ? tally.summary() : null
    if (failures && !args['allow-failures']) {
      console.error(`gitvan: ${failures}`)
      process.exitCode = 1
    }
  },
})

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} must be a whole number of 1 or more, got "${value}"`)
  return number
}

export function worktreesFlag(value: string | undefined): 'current' | 'all' | undefined {
  if (value === undefined || value === 'current' || value === 'all') return value
  throw new Error(`--worktrees must be "current" or "all", got "${value}"`)
}
