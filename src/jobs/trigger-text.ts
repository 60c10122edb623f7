import type { JobSummary } from './registry'

/** What starts a job, in a few words: `commit, tag v* (semver), schedule`, or `manual` when nothing does. */
export function triggerText(job: Pick<JobSummary, 'on' | 'schedule'>): string {
  const out: string[] = []
  const { commit, tag, branch } = job.on ?? {}
  if (commit) out.push('commit')
  if (tag) {
    const filter = typeof tag === 'string' || Array.isArray(tag) ? { match: tag } : tag
    out.push(`tag ${[filter.match ?? '*'].flat().join(',')}${filter.semver ? ' (semver)' : ''}`)
  }
  if (branch) out.push(`branch ${[branch].flat().join(',')}`)
  if (job.schedule) out.push('schedule')
  return out.join(', ') || 'manual'
}
