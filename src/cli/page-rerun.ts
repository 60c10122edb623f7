import type { GitVanApp } from '../types/app'
import type { RerunReply, RerunRequest } from '../types/ui'

/**
 * A re-run asked for on the page of runs, through `gitvan rerun`'s path: the pair's lease, its receipts re-read
 * under it, and a fenced receipt, so it runs exactly once even beside daemons and other re-runs.
 */
export async function rerunFromPage(app: GitVanApp, request: RerunRequest): Promise<RerunReply> {
  const [{ readPairs, rerunPairs }, { describeRerun }] = await Promise.all([import('../daemon/rerun'), import('./commands/rerun')])
  const pair = (await readPairs(app, { job: request.job, sha: request.note })).find(pair => pair.key === request.key)
  if (!pair) return { outcome: 'gone', message: `No receipts of ${request.job} for ${request.key} any more: reload the page` }
  const [result] = await rerunPairs(app, [pair])
  return { outcome: result!.outcome, status: result!.receipt?.status, message: describeRerun(result!, app.options.receipts.ref) }
}
