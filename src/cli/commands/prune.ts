import { defineGitVanCommand } from '../command'
import { LOGS_REF } from '../../receipts/log-format'
import { parseDuration } from '../../utils/duration'
import { formatBytes } from '../format'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'prune', description: 'Remove old run logs from refs/gitvan/logs; receipts stay' },
  args: {
    'logs-older-than': { type: 'string', description: 'Remove the logs of runs that started longer ago than this (30d, 12h, 2w)', valueHint: 'duration' },
    'json': { type: 'boolean', description: 'Print what was removed as JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const age = args['logs-older-than']
    if (age === undefined) throw new Error('Say what to prune: --logs-older-than <duration>, e.g. `gitvan prune --logs-older-than 30d`')
    const ms = parseDuration(age)
    if (ms === undefined) throw new Error(`--logs-older-than takes a duration such as 30d, 12h, 90m or 2w, got "${age}"`)
    return withApp(args, async (app) => {
      const report = await app.receipts.pruneLogs(new Date(Date.now() - ms))
      if (args.json) {
        console.log(JSON.stringify(report, null, 2))
        return
      }
      if (report.paths.length === 0) {
        console.log(`No logs of runs started before ${report.before} in ${LOGS_REF}: nothing to prune.`)
        return
      }
      const range = report.paths.length === 1 ? report.paths[0] : `${report.paths[0]} … ${report.paths.at(-1)}`
      console.log(`Removed the logs of ${report.runs} run(s), ${formatBytes(report.bytes)}, started before ${report.before} (${range}) from ${LOGS_REF}; receipts kept.`)
      console.log('git gc frees the space once the objects are old enough (gc.pruneExpire); `git gc --prune=now` frees it now.')
    })
  },
})
