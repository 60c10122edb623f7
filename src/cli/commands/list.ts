import { defineGitVanCommand } from '../command'
import type { JobSummary } from '../../jobs/registry'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'list', description: 'List the jobs, read without running job code where possible' },
  args: {
    ...commonArgs,
    json: { type: 'boolean', description: 'Print a JSON array' },
  },
  async run({ args }) {
    const summaries = await withApp(args, async app => Promise.all((await app.jobs.scan()).map(job => app.jobs.summarize(job))))
    if (args.json) {
      const rows = summaries.map(({ id, kind, desc, tags, schedule, on, file, broken }) => ({ id, kind, desc, tags: tags ?? [], schedule, on, file, ...(broken ? { broken } : {}) }))
      console.log(JSON.stringify(rows, null, 2))
    } else {
      printTable(summaries)
    }
    const broken = summaries.filter(job => job.broken)
    for (const job of broken) console.error(`gitvan: broken job ${job.id}: ${job.broken}`)
    if (broken.length > 0) process.exitCode = 1
  },
})

function printTable(jobs: JobSummary[]): void {
  if (jobs.length === 0) {
    console.log('No jobs found. Add one, e.g. jobs/hello.ts: export default defineJob({ run: () => ({ ok: true }) })')
    return
  }
  const rows = [['ID', 'KIND', 'TRIGGERS', 'SCHEDULE', 'DESCRIPTION'], ...jobs.map(job => [job.id, job.broken ? 'broken' : job.kind ?? '', triggers(job), job.schedule ?? '', job.broken || (job.desc ?? '')])]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => row[column]!.length)))
  for (const row of rows) console.log(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd())
}

function triggers(job: JobSummary): string {
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
