import { defineGitVanCommand } from '../command'
import { runGit } from '../../git/command'
import { LOGS_REF } from '../../receipts/log-format'
import type { RunLog, RunLogRead } from '../../types/log'
import type { Receipt } from '../../types/receipt'
import { alignColumns, colorStatus, colors, describeTrigger, formatBytes } from '../format'
import { commonArgs, fetchForReading, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'show', description: 'Show the receipts of a job on a commit and the log of each run, by step' },
  args: {
    job: { type: 'positional', required: true, description: 'Job id, e.g. docs:changelog' },
    rev: { type: 'positional', required: false, description: 'The commit (any revision, default HEAD)' },
    json: { type: 'boolean', description: 'Print JSON: { job, sha, runs: [{ receipt, log }] }' },
    ...commonArgs,
  },
  async run({ args }) {
    return withApp(args, async (app) => {
      const rev = args.rev ?? 'HEAD'
      const sha = await resolveCommit(app.repo.root, rev)
      await fetchForReading(app, [app.options.receipts.ref, LOGS_REF])
      const { receipts } = await app.receipts.read([sha])
      const runs = receipts.filter(receipt => receipt.job === args.job).sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      if (runs.length === 0) {
        const others = [...new Set(receipts.map(receipt => receipt.job))]
        const hint = others.length > 0 ? `receipts there are for ${others.join(', ')}` : `run it with \`gitvan run ${args.job}\` or see \`gitvan log --job '${args.job}'\``
        throw new Error(`No receipts of ${args.job} on ${sha.slice(0, 7)} (${rev}): ${hint}`)
      }
      const logs = await app.receipts.readLogs(runs)
      if (args.json) {
        console.log(JSON.stringify({ job: args.job, sha, runs: runs.map((receipt, i) => ({ receipt, log: logs[i] })) }, null, 2))
        return
      }
      process.stdout.write(runs.map((receipt, i) => showRun(receipt, logs[i]!, `run ${i + 1} of ${runs.length}`)).join('\n'))
    })
  },
})

async function resolveCommit(cwd: string, rev: string): Promise<string> {
  const { stdout, exitCode } = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd, okCodes: [0, 1, 128] })
  if (exitCode !== 0) throw new Error(`"${rev}" is not a commit in ${cwd}: give a revision such as HEAD, HEAD~2, a sha, a tag or a branch`)
  return stdout.trim()
}

/** One run: its receipt as labelled lines, a blank line, then its log by step. */
function showRun(receipt: Receipt, log: RunLogRead, title: string): string {
  const facts = [
    [{ text: title, color: colors.bold }, { text: `${receipt.job} on ${colors.yellow(receipt.sha.slice(0, 7))}, ${describeTrigger(receipt.trigger)}` }],
    [{ text: 'status' }, { text: `${colorStatus(receipt.status)} after ${receipt.durationMs}ms${receipt.reason ? ` (${receipt.reason})` : ''}` }],
    [{ text: 'started' }, { text: `${receipt.startedAt} on ${receipt.host} (pid ${receipt.pid}), worktree ${receipt.worktree}` }],
    ...(receipt.artifact ? [[{ text: 'artifact' }, { text: receipt.artifact }]] : []),
    ...(receipt.error ? [[{ text: 'error' }, { text: receipt.error, color: colors.red }]] : []),
    [{ text: 'log' }, { text: describeLog(log) }],
  ]
  const body = log.status === 'kept' ? `\n${showLog(log.log)}` : ''
  return `${alignColumns(facts).join('\n')}\n${body}`
}

function describeLog(log: RunLogRead): string {
  switch (log.status) {
    case 'none': { return 'none: the run wrote no output' }
    case 'kept': { return `${log.oid} (${formatBytes(log.bytes)})` }
    case 'missing': { return `${log.oid} is not in ${LOGS_REF}: pruned (gitvan prune), or not fetched here (git fetch origin +${LOGS_REF}:${LOGS_REF})` }
    default: { return `${log.oid} cannot be read: ${log.reason}` }
  }
}

/** The log's lines under their steps, each with its time since the start; stderr lines are marked `err`. */
function showLog(log: RunLog): string {
  const out: string[] = []
  for (const entry of log.entries) {
    const time = `+${(entry.t / 1000).toFixed(3)}s`.padStart(9)
    if ('step' in entry) out.push(colors.bold(`step ${entry.step}`))
    else if ('cut' in entry) out.push(colors.dim(`${time}      … ${entry.cut.lines} lines (${formatBytes(entry.cut.bytes)}) cut …`))
    else if ('err' in entry) out.push(`${colors.dim(time)}  ${colors.red('err')}  ${colors.red(entry.err)}`)
    else out.push(`${colors.dim(time)}       ${entry.out}`)
  }
  return `${out.join('\n')}\n`
}
