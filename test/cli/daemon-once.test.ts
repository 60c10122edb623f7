import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { commitFiles, sh } from '../utils/repo'

const OK = 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n'
const FAILS = "export default defineJob({ on: { commit: { message: '^fail' } }, run() { throw new Error('nope') } })\n"
// Fails on its first run (it leaves a mark in the git dir), passes on the retry.
const FLAKY = [
  "import { existsSync, writeFileSync } from 'node:fs'",
  'export default defineJob({ on: { commit: true }, retry: { count: 1, backoff: 0 }, run({ ctx }) {',
  "  const mark = ctx.root + '/.git/flaky-' + ctx.head",
  "  if (!existsSync(mark)) { writeFileSync(mark, ''); throw new Error('first try fails') }",
  '} })',
  '',
].join('\n')

// consola prints only warnings and errors under test (NODE_ENV=test, TEST): the text lines need them unset.
const TEXT = { NODE_ENV: '', TEST: '' }

describe('gitvan daemon --once exit codes', () => {
  it('exits 1 when a run ends failed, naming it; --allow-failures exits 0; a run that passes on its retry is not a failure', async () => {
    const repo = createProject({ 'jobs/ok.ts': OK, 'jobs/fail.ts': FAILS, 'jobs/flaky.ts': FLAKY })
    const allowed = await gitvan(['daemon', '--once', '--allow-failures'], { cwd: repo })
    expect(allowed.stderr).toBe('')
    expect(allowed.code).toBe(0)

    const failing = commitFiles(repo, { a: '1' }, 'fail: this one')
    const once = await gitvan(['daemon', '--once'], { cwd: repo, env: TEXT })
    expect(once.code).toBe(1)
    expect(once.stderr.trim()).toBe(`gitvan: 1 run(s) failed (fail ${failing.slice(0, 7)}): exit code 1 (--allow-failures exits 0)`)
    // The flaky job failed once, then passed on its retry: both runs are printed, and it does not count.
    expect(once.stdout.match(new RegExp(`flaky ${failing.slice(0, 7)} (error|ok)`, 'g'))).toEqual([`flaky ${failing.slice(0, 7)} error`, `flaky ${failing.slice(0, 7)} ok`])

    const nothingNew = await gitvan(['daemon', '--once'], { cwd: repo })
    expect(nothingNew.code).toBe(0)
  })

  it('exits 1 when a job file is broken; run lines name the tag of tag runs', async () => {
    const repo = createProject({
      'jobs/release.ts': "export default defineJob({ on: { tag: 'v*' }, run: () => ({ ok: true }) })\n",
      'jobs/bad.ts': 'export default defineJob({ run: 42 })\n',
    })
    sh(repo, 'tag', 'v1.0.0')
    // A first start takes existing tags as history: this tag is new.
    await gitvan(['daemon', '--once', '--allow-failures'], { cwd: repo })
    const head = commitFiles(repo, { b: '1' }, 'two')
    sh(repo, 'tag', 'v1.1.0')
    const { code, stdout, stderr } = await gitvan(['daemon', '--once'], { cwd: repo, env: TEXT })
    expect(stdout).toContain(`release ${head.slice(0, 7)} (tag v1.1.0) ok`)
    // consola's fancy reporter renders `code` spans without their backticks, its basic one (CI=true) keeps them.
    expect((stdout + stderr).replaceAll('`', '')).toContain('job bad is broken: jobs/bad.ts: run must be a function')
    expect(stderr.trim().split('\n').at(-1)).toBe('gitvan: 1 job file(s) broken (bad): exit code 1 (--allow-failures exits 0)')
    expect(code).toBe(1)
  })

  it('exits 1 for a schedule croner cannot read (a broken job, though schedules do not run under --once); the other jobs run', async () => {
    const repo = createProject({ 'jobs/ok.ts': OK, 'jobs/nightly.ts': "export default defineJob({ meta: { schedule: '0 25 * * *' }, run: () => ({ ok: true }) })\n" })
    const { code, stdout, stderr } = await gitvan(['daemon', '--once', '--json'], { cwd: repo })
    const lines = stdout.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line))
    expect(lines.filter(line => line.type === 'broken').map(({ job, message }) => ({ job, message }))).toEqual([
      { job: 'nightly', message: 'jobs/nightly.ts: `meta.schedule` must be a valid cron expression (Invalid value for hour: 25), e.g. "0 3 * * *" for 03:00 daily' },
    ])
    expect(lines.filter(line => line.type === 'run').map(({ job, status }) => `${job} ${status}`)).toEqual(['ok ok', 'ok ok'])
    expect(stderr.trim()).toBe('gitvan: 1 job file(s) broken (nightly): exit code 1 (--allow-failures exits 0)')
    expect(code).toBe(1)
  })

  it('--allow-failures without --once is an error', async () => {
    const repo = createProject({ 'jobs/ok.ts': OK })
    const { code, stderr } = await gitvan(['daemon', '--allow-failures'], { cwd: repo })
    expect(code).toBe(1)
    expect(stderr.trim()).toBe('gitvan: --allow-failures only changes the exit code of --once: add --once, or drop it')
  })
})
