import type { RerunResult, RunPair } from '../../daemon/rerun'
import { defineGitVanCommand } from '../command'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'rerun', description: 'Run failed (job, commit) pairs again, exactly once even beside running daemons' },
  args: {
    id: { type: 'positional', required: false, description: 'Job id of the failed pair' },
    rev: { type: 'positional', required: false, description: 'Commit of the failed pair (any revision)', valueHint: 'rev' },
    failed: { type: 'boolean', description: 'Every failed pair (narrow with --branch and --job)' },
    branch: { type: 'string', description: 'With --failed: only pairs on commits of this branch', valueHint: 'branch' },
    job: { type: 'string', description: 'With --failed: only jobs matching this glob, e.g. docs:*', valueHint: 'glob' },
    json: { type: 'boolean', description: 'Print the outcomes as JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    if (args.failed && args.id !== undefined) throw new Error('Pass either <id> <rev> or --failed, not both: `gitvan rerun docs:changelog HEAD~1` or `gitvan rerun --failed --branch main`')
    if (!args.failed && (args.branch !== undefined || args.job !== undefined)) throw new Error('--branch and --job narrow --failed: add --failed, or name one pair with `gitvan rerun <id> <rev>`')
    if (!args.failed && args.rev === undefined) throw new Error('Name the pair to run again, `gitvan rerun <id> <rev>`, or pass --failed for every failed pair')
    return withApp(args, async (app) => {
      const { readPairs, rerunPairs } = await import('../../daemon/rerun')
      let pairs: RunPair[]
      if (args.failed) {
        pairs = (await readPairs(app, { job: args.job, branch: args.branch })).filter(pair => pair.status === 'failed')
        if (pairs.length === 0) return console.log(`No failed runs${args.job ? ` of ${args.job}` : ''}${args.branch ? ` on ${args.branch}` : ''}: nothing to run again.`)
      } else {
        await app.jobs.find(args.id!)
        const { resolveCommit } = await import('../../git/rev')
        const { sha } = await resolveCommit(app.repo.root, args.rev!)
        pairs = await readPairs(app, { job: args.id, sha })
        if (pairs.length === 0) throw new Error(`${args.id} has no run on ${sha.slice(0, 7)} to run again: \`gitvan run ${args.id} --sha ${args.rev}\` runs it`)
      }
      const controller = new AbortController()
      const onSignal = () => controller.abort(new Error('interrupted'))
      process.once('SIGINT', onSignal)
      let results: RerunResult[]
      try {
        results = await rerunPairs(app, pairs, { signal: controller.signal })
      } finally {
        process.off('SIGINT', onSignal)
      }
      if (args.json) console.log(JSON.stringify(results.map(({ pair, outcome, message, receipt }) => ({ job: pair.job, key: pair.key, sha: pair.sha, outcome, ...(message ? { message } : {}), ...(receipt ? { ok: receipt.ok, error: receipt.error } : {}), receipt: receipt ?? null })), null, 2))
      else for (const result of results) console.log(describeRerun(result, app.options.receipts.ref))
      if (results.some(result => !['not-failed', 'done'].includes(result.outcome) && !(result.outcome === 'ran' && result.receipt?.ok))) process.exitCode = 1
    })
  },
})

/** One line per pair: what was done, or why nothing was (the page of runs says the same). */
export function describeRerun({ pair, outcome, message, receipt }: RerunResult, ref: string): string {
  const label = `${pair.job} ${pair.key === pair.sha ? pair.sha.slice(0, 7) : `${pair.sha.slice(0, 7)} (${pair.key.replace(':', ' ')})`}`
  switch (outcome) {
    case 'ran': {
      const status = receipt!.ok ? 'ok' : receipt!.status === 'cancelled' ? `cancelled (${receipt!.reason})` : `failed again: ${receipt!.error ?? 'no reason given'}`
      return `${label} ${status} in ${receipt!.durationMs} ms; receipt on ${receipt!.sha.slice(0, 7)} (${ref})`
    }
    case 'not-failed': {
      const last = pair.last.status
      return `${label}: nothing to do, ${last === 'ok' ? 'its last run succeeded' : last === 'skipped' || last === 'cancelled' ? `its last run was ${last}` : 'a run of it succeeded'}`
    }
    case 'done': {
      return `${label}: nothing to do, another run settled it meanwhile`
    }
    case 'unknown-job':
    case 'broken-job': {
      return `${label}: not run, ${message}`
    }
    case 'held': {
      return `${label}: not run, ${message} throughout; try again (\`gitvan locks\` shows the runners)`
    }
    case 'lost': {
      return `${label}: ran, but this process lost its runner lease: its receipt is left to the runner that took the work`
    }
    default: {
      return `${label}: not run, interrupted`
    }
  }
}
