import { defineGitVanCommand } from '../command'
import { inRunWorktree } from '../../app/run-worktree'
import { resolveCommit } from '../../git/rev'
import type { ExecResult } from '../../types/exec'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'run', description: 'Run a job now on HEAD (or --sha) and write its receipt' },
  args: {
    id: { type: 'positional', description: 'Job id, e.g. docs:changelog', required: true },
    sha: { type: 'string', description: 'Run for this commit (any revision): now() is its time, the receipt goes on it', valueHint: 'rev' },
    payload: { type: 'string', description: 'JSON payload passed to the job', valueHint: 'json' },
    json: { type: 'boolean', description: 'Print the result and receipt as JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const payload = parsePayload(args.payload)
    return withApp(args, async (app) => {
      const job = await app.loadJob(args.id)
      // With --sha the run is for that commit, at that commit's time; a job with `checkout: 'isolated'` gets a
      // checkout of the commit it runs for.
      const commit = args.sha === undefined ? undefined : await resolveCommit(app.repo.root, args.sha)
      const target = commit ?? { sha: app.repo.head, branch: app.repo.branch }
      const { result, receipt } = await inRunWorktree(app, job, target, worktree => app.runJob(args.id, {
        payload,
        trigger: { type: 'manual' },
        worktree,
        ...(commit ? { head: commit.sha, branch: commit.branch, commitTime: commit.commitTime } : {}),
      }))
      if (args.json) {
        console.log(JSON.stringify({ id: args.id, result, receipt: receipt ?? null }, null, 2))
      } else {
        const steps = (result.meta?.steps ?? []) as ExecResult[]
        for (const output of [result, ...steps]) {
          if (output.stdout) process.stdout.write(withNewline(output.stdout))
          if (output.stderr) process.stderr.write(withNewline(output.stderr))
        }
        const status = receipt?.status === 'skipped' || receipt?.status === 'cancelled'
          ? `${receipt.status}${receipt.reason ? ` (${receipt.reason})` : ''}`
          : result.ok ? 'ok' : `failed: ${result.error ?? 'no reason given'}`
        const where = receipt ? `receipt on ${receipt.sha.slice(0, 7)} (${app.options.receipts.ref})` : 'no receipt: the repository has no commit yet'
        console.log(`${args.id} ${status} in ${result.durationMs} ms${result.artifact ? `, wrote ${result.artifact}` : ''}; ${where}`)
      }
      if (!result.ok) process.exitCode = 1
    })
  },
})

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`
}

function parsePayload(raw: string | undefined): unknown {
  if (raw === undefined) return undefined
  try {
    return JSON.parse(raw)
  } catch (error) {
    throw new Error(`--payload is not valid JSON (${(error as Error).message}): pass e.g. --payload '{"version":"1.2.0"}'`)
  }
}
