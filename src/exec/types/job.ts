import type { ExecHandler, JobExecSpec } from '../../types/exec'
import { failure } from '../result'

/** `{ exec: 'job', job, payload? }`: run another job; cycles and chains deeper than `jobs.maxDepth` are refused. */
export const jobExec: ExecHandler<JobExecSpec> = async (spec, { ctx, signal }) => {
  const chain = ctx.jobChain
  if (chain.includes(spec.job)) return failure(`Job cycle refused: ${[...chain, spec.job].join(' -> ')}`)
  if (chain.length >= ctx.config.jobs.maxDepth) {
    return failure(`Job chain deeper than jobs.maxDepth (${ctx.config.jobs.maxDepth}) refused: ${[...chain, spec.job].join(' -> ')}`)
  }
  const run = await ctx.app.runJob(spec.job, {
    payload: spec.payload,
    trigger: { type: 'job', parent: chain.at(-1) ?? 'unknown' },
    head: ctx.head,
    branch: ctx.branch,
    now: ctx.now,
    jobChain: chain,
    signal,
  })
  return { ...run.result, meta: { ...run.result.meta, job: spec.job } }
}
