import { defineGitVanCommand } from '../command'
import type { JobSummary } from '../../jobs/registry'
import { triggerText } from '../../jobs/trigger-text'
import { commonArgs, jobSummaries, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'list', description: 'List the jobs, read without running job code where possible' },
  args: {
    ...commonArgs,
    json: { type: 'boolean', description: 'Print a JSON array' },
  },
  async run({ args }) {
    const summaries = await withApp(args, jobSummaries)
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
  const rows = [['ID', 'KIND', 'TRIGGERS', 'SCHEDULE', 'DESCRIPTION'], ...jobs.map(job => [job.id, job.broken ? 'broken' : job.kind ?? '', triggerText(job), job.schedule ?? '', job.broken || (job.desc ?? '')])]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => row[column]!.length)))
  for (const row of rows) console.log(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd())
}
