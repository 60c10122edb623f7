import { defineGitVanCommand } from '../command'
import { git } from '../../git/command'
import { readReceipts } from '../../receipts/store'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'log', description: 'Show receipts of runs, newest first' },
  args: {
    job: { type: 'positional', required: false, description: 'Only this job' },
    sha: { type: 'string', description: 'Only runs on this commit (any revision)', valueHint: 'rev' },
    limit: { type: 'string', description: 'At most this many receipts (default 20)', valueHint: 'n' },
    json: { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const limit = args.limit === undefined ? 20 : Number(args.limit)
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a whole number of 1 or more, got "${args.limit}"`)
    return withApp(args, async (app) => {
      const cwd = app.repo.root
      const shas = args.sha ? [await git(['rev-parse', '--verify', '--end-of-options', `${args.sha}^{commit}`], { cwd })] : undefined
      const { receipts, invalid } = await readReceipts(cwd, app.options.receipts.ref, shas)
      const rows = receipts
        .filter(receipt => !args.job || receipt.job === args.job)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, limit)
      for (const { sha, line } of invalid) console.error(`gitvan: skipped an unreadable receipt line on ${sha.slice(0, 7)}: ${line.slice(0, 80)}`)
      if (args.json) {
        console.log(JSON.stringify(rows, null, 2))
        return
      }
      if (rows.length === 0) console.log('No receipts yet: run a job with `gitvan run <id>` or start `gitvan daemon`.')
      for (const r of rows) {
        const trigger = r.trigger.type === 'commit' ? `commit${r.trigger.branch ? ` on ${r.trigger.branch}` : ''}` : r.trigger.type === 'tag' ? `tag ${r.trigger.tag}` : r.trigger.type
        console.log(`${r.startedAt}  ${r.sha.slice(0, 7)}  ${r.status.padEnd(7)} ${r.job}  ${r.durationMs}ms  ${trigger}${r.error ? `  ${r.error}` : ''}`)
      }
    })
  },
})
