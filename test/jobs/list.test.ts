import { existsSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'

describe('gitvan list', () => {
  it('reads metadata without running job code, and imports only where a value is not a literal', async () => {
    const repo = createProject({
      'jobs/static.ts': `import { writeFileSync } from 'node:fs'
writeFileSync('side-effect-static', 'ran')
export default defineJob({ meta: { desc: 'Static', tags: ['a'], schedule: '*/5 * * * *' }, on: { commit: { branches: ['main'] } }, run() {} })
`,
      'jobs/dynamic.ts': `const name = 'Dyn' + 'amic'
export default defineJob({ meta: { desc: name }, on: { tag: 'v*' }, steps: [{ exec: 'cli', cmd: 'true' }] })
`,
    })
    const { code, stdout } = await gitvan(['list', '--json'], { cwd: repo })
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual([
      { id: 'dynamic', kind: 'composite', desc: 'Dynamic', tags: [], on: { tag: 'v*' }, file: 'jobs/dynamic.ts' },
      { id: 'static', kind: 'atomic', desc: 'Static', tags: ['a'], schedule: '*/5 * * * *', on: { commit: { branches: ['main'] } }, file: 'jobs/static.ts' },
    ])
    expect(existsSync(join(repo, 'side-effect-static'))).toBe(false)
  })

  it('prints a table', async () => {
    const repo = createProject({
      'jobs/docs/changelog.ts': "export default defineJob({ meta: { desc: 'Changelog' }, on: { commit: true }, run() {} })\n",
      'jobs/release.ts': "export default defineJob({ on: { tag: { match: 'v*', semver: true }, branch: 'release/*' }, run() {} })\n",
    })
    const { stdout } = await gitvan(['list'], { cwd: repo })
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+TRIGGERS\s+SCHEDULE\s+DESCRIPTION$/)
    expect(stdout).toMatch(/docs:changelog\s+atomic\s+commit\s+Changelog/)
    expect(stdout).toMatch(/release\s+atomic\s+tag v\* \(semver\), branch release\/\*/)
  })

  it('lists broken files as broken with file:line:col, still lists the others, exits 1', async () => {
    const repo = createProject({
      'jobs/good.ts': "export default defineJob({ meta: { desc: 'Good' }, run() {} })\n",
      'jobs/syntax.ts': 'export default defineJob({\n  meta: { desc: "x" },,\n})\n',
      'jobs/invalid.ts': "export default defineJob({ meta: { desc: 'x' + 1 }, kind: 'composite', run() {} })\n",
      'jobs/trigger.ts': 'export default defineJob({ on: { comit: true }, run() {} })\n',
    })
    const { code, stdout, stderr } = await gitvan(['list', '--json'], { cwd: repo })
    expect(code).toBe(1)
    const rows = JSON.parse(stdout)
    expect(rows.map((r: any) => [r.id, r.broken ?? 'ok'])).toEqual([
      ['good', 'ok'],
      ['invalid', 'jobs/invalid.ts: `kind` must be "atomic" for a job with run'],
      ['syntax', expect.stringMatching(/^jobs\/syntax\.ts:2:\d+: /)],
      ['trigger', 'jobs/trigger.ts: `on.comit` must be one of on.commit, on.tag, on.branch'],
    ])
    expect(stderr).toContain('gitvan: broken job syntax: jobs/syntax.ts:2:')
  })

  it('a schedule croner cannot read makes the job broken, read statically or loaded', async () => {
    const repo = createProject({
      'jobs/good.ts': "export default defineJob({ meta: { schedule: '0 3 * * *' }, run() {} })\n",
      'jobs/cron.ts': "export default defineJob({ meta: { schedule: '61 * * * *' }, run() {} })\n",
      'jobs/zone.ts': "const zone = 'Mars/' + 'Olympus'\nexport default defineJob({ meta: { schedule: '0 3 * * *', timezone: zone }, run() {} })\n",
    })
    const { code, stdout, stderr } = await gitvan(['list', '--json'], { cwd: repo })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).map((r: any) => [r.id, r.broken ?? 'ok'])).toEqual([
      ['cron', 'jobs/cron.ts: `meta.schedule` must be a valid cron expression (Invalid value for minute: 61), e.g. "0 3 * * *" for 03:00 daily'],
      ['good', 'ok'],
      ['zone', 'jobs/zone.ts: `meta.timezone` must be an IANA time zone like "Europe/Paris"'],
    ])
    expect(stderr).toContain('gitvan: broken job cron: jobs/cron.ts: `meta.schedule` must be a valid cron expression')
  })

  it('a step of an unknown exec type, or missing a field its type needs, breaks its job: in list (literal or loaded) and run', async () => {
    const repo = createProject({
      'jobs/unknown.ts': "export default defineJob({ steps: [{ exec: 'cli', cmd: 'true' }, { exec: 'shell', cmd: 'true' }] })\n",
      'jobs/nocmd.ts': "export default defineJob({ steps: [{ exec: 'cli', args: ['x'] }] })\n",
      'jobs/nojob.ts': "export default defineJob({ steps: [{ exec: 'job' }] })\n",
      'jobs/llm.ts': "export default defineJob({ steps: [{ exec: 'llm', prompt: 'a', template: 'b.njk' }] })\n",
      // Not literal: read by loading the file, checked the same way.
      'jobs/loaded.ts': "const tmpl = 'tmpl'\nexport default defineJob({ steps: [{ exec: tmpl, out: 'x.md' }] })\n",
      'jobs/via-exec.ts': "export default defineJob({ run: () => useExec().exec({ exec: 'shell' } as any) })\n",
      'jobs/fine.ts': "const name = 'fine'\nexport default defineJob({ steps: [{ exec: 'js', module: 'x.ts', name }, { exec: 'job', job: 'unknown' }, { exec: 'llm', template: 'b.njk' }] })\n",
    })
    const { code, stdout } = await gitvan(['list', '--json'], { cwd: repo })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).map((r: any) => [r.id, r.broken ?? 'ok'])).toEqual([
      ['fine', 'ok'],
      ['llm', "jobs/llm.ts: `steps[0]`: exec 'llm' needs exactly one of `prompt` or `template`, e.g. { exec: 'llm', prompt: 'Summarize ...' }"],
      ['loaded', "jobs/loaded.ts: `steps[0]`: exec 'tmpl' needs `template`, e.g. { exec: 'tmpl', template: 'changelog.njk' }"],
      ['nocmd', "jobs/nocmd.ts: `steps[0]`: exec 'cli' needs `cmd`, e.g. { exec: 'cli', cmd: 'echo' }"],
      ['nojob', "jobs/nojob.ts: `steps[0]`: exec 'job' needs `job`, a job id, e.g. { exec: 'job', job: 'docs:changelog' }"],
      ['unknown', 'jobs/unknown.ts: `steps[1]`: Unknown exec type "shell": known types are cli, job, js, llm, tmpl (plugins add more)'],
      ['via-exec', 'ok'],
    ])
    // A spec built in code is checked when it runs.
    expect(JSON.parse((await gitvan(['run', 'via-exec', '--json'], { cwd: repo })).stdout).result.error).toBe('Unknown exec type "shell": known types are cli, job, js, llm, tmpl (plugins add more)')
    const run = await gitvan(['run', 'unknown'], { cwd: repo })
    expect(run.code).toBe(1)
    expect(run.stderr.trim()).toBe('gitvan: jobs/unknown.ts: `steps[1]`: Unknown exec type "shell": known types are cli, job, js, llm, tmpl (plugins add more)')
  })

  it('two files for one id: a clear error naming both', async () => {
    const repo = createProject({ 'jobs/db.ts': 'export default defineJob({ run() {} })\n', 'jobs/db/index.ts': 'export default defineJob({ run() {} })\n' })
    const { code, stderr } = await gitvan(['list'], { cwd: repo })
    expect(code).toBe(1)
    expect(stderr).toContain('Job id "db" is defined twice:')
  })
})
