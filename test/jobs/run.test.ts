import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { commitFiles, sh, tempDir } from '../utils/repo'

const receipts = (repo: string, rev = 'HEAD') =>
  sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'show', rev).split('\n').map(line => JSON.parse(line))

describe('gitvan run', () => {
  it('runs a job with no import lines: composables, project composables and utils are auto-imported', async () => {
    const repo = createProject({
      'composables/greeting.ts': 'export const useGreeting = (name: string) => `hello ${name} on ${useGit().branch}`\n',
      'utils/shout.ts': 'export function shout(text: string) { return text.toUpperCase() }\n',
      'jobs/greet.ts': 'export default defineJob({ run: ({ payload }) => ({ ok: true, stdout: shout(useGreeting(payload.name)) }) })\n',
    })
    const { code, stdout, stderr } = await gitvan(['run', 'greet', '--payload', '{"name":"ada"}', '--json'], { cwd: repo })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const { result, receipt } = JSON.parse(stdout)
    expect(result).toMatchObject({ ok: true, stdout: 'HELLO ADA ON MAIN' })
    expect(receipt).toMatchObject({ v: 1, job: 'greet', sha: sh(repo, 'rev-parse', 'HEAD'), ok: true, status: 'ok', trigger: { type: 'manual' }, worktree: 'main', pid: expect.any(Number) })
    expect(receipts(repo)).toEqual([receipt])
  })

  it('helpers in the jobs dir (`_` files, imported by jobs) get auto-imports too', async () => {
    const repo = createProject({
      'jobs/_shared/branch.ts': 'export const branchOf = () => useGit().branch\n',
      'jobs/where.ts': "import { branchOf } from './_shared/branch'\nexport default defineJob({ run: () => ({ ok: true, stdout: branchOf() }) })\n",
    })
    const { code, stdout } = await gitvan(['run', 'where', '--json'], { cwd: repo })
    expect(code).toBe(0)
    expect(JSON.parse(stdout).result.stdout).toBe('main')
  })

  it('a failing job exits 1 and leaves an error receipt; a second run appends a second receipt', async () => {
    const repo = createProject({ 'jobs/fail.ts': 'export default defineJob({ run() { throw new Error("boom\\nsecond line") } })\n' })
    const first = await gitvan(['run', 'fail'], { cwd: repo })
    expect(first.code).toBe(1)
    // The error names the line of the job file it was thrown from (issue 10).
    expect(first.stdout).toContain('fail failed: jobs/fail.ts:1: boom')
    await gitvan(['run', 'fail'], { cwd: repo })
    expect(receipts(repo).map(r => [r.job, r.ok, r.status, r.error])).toEqual([['fail', false, 'error', 'jobs/fail.ts:1: boom'], ['fail', false, 'error', 'jobs/fail.ts:1: boom']])
  })

  it('now() is the commit time, or GITVAN_NOW', async () => {
    const repo = createProject({ 'jobs/clock.ts': 'export default defineJob({ run: ({ ctx }) => ({ ok: true, stdout: ctx.now().toISOString() }) })\n' })
    const fixed = await gitvan(['run', 'clock', '--json'], { cwd: repo, env: { GITVAN_NOW: '2024-02-03T04:05:06Z' } })
    expect(JSON.parse(fixed.stdout).result.stdout).toBe('2024-02-03T04:05:06.000Z')
    const bad = await gitvan(['run', 'clock'], { cwd: repo, env: { GITVAN_NOW: 'yesterday' } })
    expect(bad.code).toBe(1)
    expect(bad.stdout + bad.stderr).toContain('GITVAN_NOW="yesterday" is not a date')
  })

  it('--sha <rev>: the run is for that commit, now() is its time, the receipt goes on it; a branch name gives the branch', async () => {
    const repo = createProject({ 'jobs/clock.ts': "export default defineJob({ run: ({ ctx }) => ({ ok: true, stdout: [ctx.now().toISOString(), ctx.head, ctx.branch, useGit().head, ctx.worktree.id].join(' ') }) })\n" })
    const old = commitFiles(repo, { a: '1' }, 'two', '2021-03-04T05:06:07Z')
    commitFiles(repo, { b: '1' }, 'three', '2022-01-01T00:00:00Z')
    commitFiles(repo, { c: '1' }, 'four', '2023-01-01T00:00:00Z')
    const { code, stdout } = await gitvan(['run', 'clock', '--sha', 'HEAD~2', '--json'], { cwd: repo })
    expect(code).toBe(0)
    const { result, receipt } = JSON.parse(stdout)
    expect(result.stdout).toBe(`2021-03-04T05:06:07.000Z ${old}  ${old} main`)
    expect(receipt).toMatchObject({ job: 'clock', sha: old, trigger: { type: 'manual' } })
    expect(receipts(repo, old)).toEqual([receipt])
    // Only that commit has a note: nothing landed on HEAD.
    expect(sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'list').split('\n').map(line => line.split(' ')[1])).toEqual([old])

    const onBranch = await gitvan(['run', 'clock', '--sha', 'main', '--json'], { cwd: repo })
    expect(JSON.parse(onBranch.stdout).result.stdout).toBe(`2023-01-01T00:00:00.000Z ${sh(repo, 'rev-parse', 'HEAD')} main ${sh(repo, 'rev-parse', 'HEAD')} main`)
    // A branch checked out in another worktree runs there, as the daemon runs that branch's commits.
    const sideDir = tempDir()
    sh(repo, 'worktree', 'add', '-q', '-b', 'side', sideDir, 'HEAD~1')
    const side = await gitvan(['run', 'clock', '--sha', 'side', '--json'], { cwd: repo })
    expect(JSON.parse(side.stdout).result.stdout).toBe(`2022-01-01T00:00:00.000Z ${sh(repo, 'rev-parse', 'HEAD~1')} side ${sh(repo, 'rev-parse', 'HEAD~1')} ${sideDir.split('/').at(-1)}`)

    const bad = await gitvan(['run', 'clock', '--sha', 'nope'], { cwd: repo })
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe(`gitvan: "nope" is not a commit of the repository in ${repo}: pass a sha, branch or tag, e.g. HEAD~2`)
  })

  it("--sha with a job that asks for `checkout: 'isolated'`: it runs in a checkout of that commit, removed afterwards", async () => {
    const repo = createProject({ 'jobs/read.ts': "import { readFileSync } from 'node:fs'\nexport default defineJob({ checkout: 'isolated', run: ({ ctx }) => ({ ok: true, stdout: readFileSync(ctx.worktreeRoot + '/version.txt', 'utf8') }) })\n" })
    commitFiles(repo, { 'version.txt': 'one' }, 'one')
    commitFiles(repo, { 'version.txt': 'two' }, 'two')
    writeFileSync(join(repo, 'version.txt'), 'edited, not committed')
    const old = await gitvan(['run', 'read', '--sha', 'HEAD~1', '--json'], { cwd: repo })
    expect(JSON.parse(old.stdout).result.stdout).toBe('one')
    const head = await gitvan(['run', 'read', '--json'], { cwd: repo })
    expect(JSON.parse(head.stdout).result.stdout).toBe('two')
    expect(sh(repo, 'worktree', 'list', '--porcelain').split('\n').filter(line => line.startsWith('worktree '))).toEqual([`worktree ${repo}`])
  })

  it('a job that skips itself says skipped and why, in gitvan run and in the daemon\'s text, and exits 0', async () => {
    const repo = createProject({ 'jobs/quiet.ts': "export default defineJob({ on: { commit: true }, run() { useJob().skip('nothing to publish') } })\n" })
    const run = await gitvan(['run', 'quiet'], { cwd: repo })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('quiet skipped (nothing to publish) in ')
    expect(receipts(repo)).toMatchObject([{ status: 'skipped', reason: 'nothing to publish' }])
    // consola prints only warnings and worse under a test runner (VITEST is inherited): as users see it.
    const daemon = await gitvan(['daemon', '--once'], { cwd: repo, env: { VITEST: undefined, NODE_ENV: undefined, TEST: undefined } })
    expect(daemon.code).toBe(0)
    expect(`${daemon.stdout}${daemon.stderr}`).toMatch(/quiet [0-9a-f]{7} skipped \(nothing to publish\) \d+ms/)
    expect(`${daemon.stdout}${daemon.stderr}`).not.toContain('✖')
  })

  it('unknown id: did you mean', async () => {
    const repo = createProject({ 'jobs/docs/changelog.ts': 'export default defineJob({ run() {} })\n' })
    const { code, stderr } = await gitvan(['run', 'docs:changelgo'], { cwd: repo })
    expect(code).toBe(1)
    expect(stderr.trim()).toBe('gitvan: Unknown job "docs:changelgo": did you mean docs:changelog? (`gitvan list` shows them all)')
  })

  it('bad --payload is a one-line error', async () => {
    const repo = createProject({ 'jobs/a.ts': 'export default defineJob({ run() {} })\n' })
    const { code, stderr } = await gitvan(['run', 'a', '--payload', '{nope'], { cwd: repo })
    expect(code).toBe(1)
    expect(stderr).toMatch(/^gitvan: --payload is not valid JSON .*: pass e\.g\. --payload/)
  })

  it('a definition that breaks the rules names the file and the field', async () => {
    const repo = createProject({ 'jobs/bad.ts': 'export default defineJob({ run() {}, meta: { desc: 42 } })\n' })
    const { code, stderr } = await gitvan(['run', 'bad'], { cwd: repo })
    expect(code).toBe(1)
    expect(stderr.trim()).toBe('gitvan: jobs/bad.ts: `meta.desc` must be a string')
  })

  it('a job file with a syntax error names file:line:col', async () => {
    const repo = createProject({ 'jobs/broken.ts': 'export default defineJob({\n  run() { return 1 +* 2 }\n})\n' })
    const { code, stderr } = await gitvan(['run', 'broken'], { cwd: repo })
    expect(code).toBe(1)
    expect(stderr).toMatch(/^gitvan: jobs\/broken\.ts:2:\d+: /)
  })

  it('validate() can refuse a run', async () => {
    const repo = createProject({ 'jobs/v.ts': 'export default defineJob({ validate: ({ payload }) => payload?.ok ? true : "payload.ok is required", run() {} })\n' })
    const refused = await gitvan(['run', 'v'], { cwd: repo })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain('validation refused the run: payload.ok is required')
    expect((await gitvan(['run', 'v', '--payload', '{"ok":true}'], { cwd: repo })).code).toBe(0)
  })

  it('a job over its timeout fails with status timeout', async () => {
    const repo = createProject({ 'jobs/slow.ts': 'export default defineJob({ timeout: 200, run: () => new Promise(() => {}) })\n' })
    const { code, stdout } = await gitvan(['run', 'slow', '--json'], { cwd: repo })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).receipt).toMatchObject({ ok: false, status: 'timeout', error: 'job slow timed out after 200 ms' })
  })

  it('in an empty repository the job runs but there is no commit for a receipt', async () => {
    const repo = createProject({ 'jobs/a.ts': 'export default defineJob({ run() {} })\n' }, { commit: false })
    sh(repo, 'update-ref', '-d', 'HEAD')
    const { code, stdout } = await gitvan(['run', 'a'], { cwd: repo })
    expect(code).toBe(0)
    expect(stdout).toContain('no receipt: the repository has no commit yet')
  })
})

describe('exec types through composite jobs', () => {
  it('cli, tmpl, js and job steps run in order; artifacts and meta.steps are reported', async () => {
    const repo = createProject({
      'templates/report.njk': '# {{ title }} on {{ git.branch }} ({{ none | date("YYYY-MM-DD") }})\n',
      'scripts/sum.ts': 'export function sum(input: number[], { signal }: { signal: AbortSignal }) { return { ok: !signal.aborted, stdout: String(input.reduce((a, b) => a + b, 0)) } }\n',
      'jobs/child.ts': 'export default defineJob({ run: ({ payload }) => ({ ok: true, stdout: `child got ${payload.n}` }) })\n',
      'jobs/pipeline.ts': `export default defineJob({
  steps: [
    { exec: 'cli', cmd: 'printf', args: ['%s', '$(touch pwned); echo hi'] },
    { exec: 'js', module: 'scripts/sum.ts', export: 'sum', input: [1, 2, 3] },
    { exec: 'job', job: 'child', payload: { n: 7 } },
    { exec: 'tmpl', template: 'report.njk', data: { title: 'Report' }, out: 'out/report.md' },
  ],
})
`,
    })
    const { code, stdout } = await gitvan(['run', 'pipeline', '--json'], { cwd: repo, env: { GITVAN_NOW: '2024-05-06T00:00:00Z' } })
    expect(code).toBe(0)
    const { result, receipt } = JSON.parse(stdout)
    expect(result.meta.steps.map((s: any) => [s.step, s.ok, s.stdout ?? s.artifact])).toEqual([
      ['1:cli', true, '$(touch pwned); echo hi'],
      ['2:js', true, '6'],
      ['3:job', true, 'child got 7'],
      ['4:tmpl', true, 'out/report.md'],
    ])
    expect(existsSync(join(repo, 'pwned'))).toBe(false)
    expect(readFileSync(join(repo, 'out/report.md'), 'utf8')).toBe('# Report on main (2024-05-06)\n')
    expect(receipt.artifact).toBe('out/report.md')
    // The nested job left its own receipt, triggered by its parent.
    expect(receipts(repo).map(r => [r.job, r.trigger])).toEqual([['child', { type: 'job', parent: 'pipeline' }], ['pipeline', { type: 'manual' }]])
  })

  it('stops at the first failing step unless continueOnError', async () => {
    const repo = createProject({
      'jobs/stop.ts': "export default defineJob({ steps: [{ exec: 'cli', cmd: 'false' }, { exec: 'cli', cmd: 'touch', args: ['after'] }] })\n",
      'jobs/go.ts': "export default defineJob({ steps: [{ exec: 'cli', cmd: 'false', continueOnError: true }, { exec: 'cli', cmd: 'touch', args: ['after'] }] })\n",
    })
    const stop = JSON.parse((await gitvan(['run', 'stop', '--json'], { cwd: repo })).stdout).result
    expect(stop).toMatchObject({ ok: false, error: 'step 1:cli failed: "false" exited with code 1', exitCode: 1 })
    expect(stop.meta.steps).toHaveLength(1)
    expect(existsSync(join(repo, 'after'))).toBe(false)
    const go = JSON.parse((await gitvan(['run', 'go', '--json'], { cwd: repo })).stdout).result
    expect(go.ok).toBe(true)
    expect(go.meta.steps.map((s: any) => s.ok)).toEqual([false, true])
    expect(existsSync(join(repo, 'after'))).toBe(true)
  })

  it.each([
    ["{ exec: 'cli', cmd: 'ls', cwd: '../' }", 'Refusing cwd "../": it escapes the repository root'],
    ["{ exec: 'js', module: '/etc/passwd' }", 'Refusing js module "/etc/passwd": absolute paths are not allowed'],
    ["{ exec: 'js', module: 'scripts/none.ts', export: 'x' }", 'scripts/none.ts'],
    ["{ exec: 'tmpl', template: 'x.njk', out: '../escape.md' }", 'Refusing template output "../escape.md": it escapes the repository root'],
    ["{ exec: 'job', job: 'refuse' }", 'Job cycle refused: refuse -> refuse'],
    ["{ exec: 'cli', cmd: 'sleep', args: ['5'], timeout: 200 }", 'cli step timed out after 200 ms'],
  ])('refuses %s', async (step, message) => {
    const repo = createProject({ 'jobs/refuse.ts': `export default defineJob({ steps: [${step}] })\n`, 'templates/x.njk': 'x' })
    const { code, stdout } = await gitvan(['run', 'refuse', '--json'], { cwd: repo })
    expect(code).toBe(1)
    expect(JSON.parse(stdout).result.error).toContain(message)
    expect(existsSync(join(repo, '..', 'escape.md'))).toBe(false)
  })

  it('a chain deeper than jobs.maxDepth is refused', async () => {
    const repo = createProject({
      'gitvan.config.mjs': 'export default { jobs: { maxDepth: 2 } }\n',
      'jobs/a.ts': "export default defineJob({ steps: [{ exec: 'job', job: 'b' }] })\n",
      'jobs/b.ts': "export default defineJob({ steps: [{ exec: 'job', job: 'c' }] })\n",
      'jobs/c.ts': 'export default defineJob({ run() {} })\n',
    })
    const { stdout } = await gitvan(['run', 'a', '--json'], { cwd: repo })
    expect(JSON.parse(stdout).result.error).toContain('Job chain deeper than jobs.maxDepth (2) refused: a -> b -> c')
  })

  it('cli steps see only the allowlisted environment plus GITVAN_* and the job env', async () => {
    const repo = createProject({
      'gitvan.config.mjs': "export default { env: ['PATH', 'VISIBLE'] }\n",
      'jobs/env.ts': "export default defineJob({ env: { FROM_JOB: 'yes' }, steps: [{ exec: 'cli', cmd: 'env' }] })\n",
    })
    const { stdout } = await gitvan(['run', 'env', '--json'], { cwd: repo, env: { VISIBLE: 'v', SECRET_TOKEN: 's3cret' } })
    const { result, receipt } = JSON.parse(stdout)
    const vars = Object.fromEntries(result.meta.steps[0].stdout.trim().split('\n').map((line: string) => line.split(/=(.*)/s).slice(0, 2)))
    expect(vars).toMatchObject({ VISIBLE: 'v', FROM_JOB: 'yes', GITVAN_JOB: 'env', GITVAN_WORKTREE: 'main', GITVAN_SHA: sh(repo, 'rev-parse', 'HEAD') })
    expect(vars.SECRET_TOKEN).toBeUndefined()
    expect(JSON.stringify(receipt)).not.toContain('s3cret')
  })
})
