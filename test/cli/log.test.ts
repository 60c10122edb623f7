import { execFileSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { gitvan, gitvanCommand } from '../utils/cli'
import { createProject } from '../utils/project'
import { commitFiles, sh, testEnv } from '../utils/repo'

// main: base, main-1; feature (from base): feature-1. docs:a passes and docs:b fails on every commit; release runs by hand.
let repo = ''
let mainOnly = ''
let featureOnly = ''

beforeAll(async () => {
  repo = createProject({
    'jobs/docs/a.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
    'jobs/docs/b.ts': "export default defineJob({ on: { commit: true }, run: () => ({ ok: false, error: 'b broke' }) })\n",
    'jobs/release.ts': 'export default defineJob({ run: () => ({ ok: true }) })\n',
  })
  sh(repo, 'checkout', '-q', '-b', 'feature')
  featureOnly = commitFiles(repo, { f: '1' }, 'feature work')
  sh(repo, 'checkout', '-q', 'main')
  mainOnly = commitFiles(repo, { m: '1' }, 'main work')
  expect((await gitvan(['daemon', '--once', '--allow-failures'], { cwd: repo })).code).toBe(0)
  expect((await gitvan(['run', 'release'], { cwd: repo })).code).toBe(0)
}, 60_000)

async function logJson(...args: string[]): Promise<{ job: string; sha: string; status: string }[]> {
  const result = await gitvan(['log', '--json', ...args], { cwd: repo })
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout)
}

const jobsOf = (rows: { job: string }[]) => [...new Set(rows.map(row => row.job))].sort()

describe('gitvan log filters', () => {
  it('--status keeps those statuses', async () => {
    expect(jobsOf(await logJson('--status', 'error'))).toEqual(['docs:b'])
    expect(jobsOf(await logJson('--status', 'ok, timeout'))).toEqual(['docs:a', 'release'])
  })

  it('--job and the job argument take globs', async () => {
    expect(jobsOf(await logJson('--job', 'docs:*'))).toEqual(['docs:a', 'docs:b'])
    expect(jobsOf(await logJson('{release,docs:a}'))).toEqual(['docs:a', 'release'])
    expect(jobsOf(await logJson('release'))).toEqual(['release'])
  })

  it('--branch keeps runs for matching branches (commit triggers), not manual runs', async () => {
    const feature = await logJson('--branch', 'feat*')
    expect(feature.map(row => row.sha)).toContain(featureOnly)
    expect(feature.map(row => row.sha)).not.toContain(mainOnly)
    expect(jobsOf(feature)).toEqual(['docs:a', 'docs:b'])
    expect((await logJson('--branch', 'main', '--status', 'error')).map(row => row.sha)).toContain(mainOnly)
  })

  it('--since takes a duration or a date; filters combine with --limit', async () => {
    const all = await logJson('--limit', '100')
    expect(all.length).toBeGreaterThanOrEqual(7)
    expect(await logJson('--since', '1h', '--limit', '100')).toEqual(all)
    expect(await logJson('--since', '2000-01-01T00:00Z', '--limit', '100')).toEqual(all)
    expect(await logJson('--since', '2999-01-01')).toEqual([])
    expect(await logJson('--job', 'docs:*', '--status', 'ok', '--limit', '1')).toHaveLength(1)
    const none = await gitvan(['log', '--since', '2999-01-01'], { cwd: repo })
    expect(none.stdout).toBe('No receipts match these filters.\n')
  })

  it.each([
    [['--status', 'eror'], '--status takes ok, error, timeout, skipped, cancelled (comma-separated), got "eror"'],
    [['--since', 'yesterday'], '--since takes a date (2026-11-01, 2026-11-01T12:00Z) or a duration (30d, 12h, 90m), got "yesterday"'],
    [['--since', '2026-13-45'], '--since takes a date (2026-11-01, 2026-11-01T12:00Z) or a duration (30d, 12h, 90m), got "2026-13-45"'],
    [['docs:a', '--job', 'docs:b'], 'Give the job once: as an argument ("docs:a") or as --job ("docs:b"), not both'],
  ])('gitvan log %j fails with one line', async (args, message) => {
    expect(await gitvan(['log', ...args], { cwd: repo })).toEqual({ code: 1, stdout: '', stderr: `gitvan: ${message}\n` })
  })
})

describe('gitvan log columns', () => {
  it('aligns the columns and prints plain text when piped, even without NO_COLOR', async () => {
    const { stdout } = await gitvan(['log', '--limit', '100'], { cwd: repo, env: { NO_COLOR: undefined } })
    expect(stdout).not.toContain('\u001B[')
    const lines = stdout.trimEnd().split('\n')
    // Each line: time, sha, status, job, duration (right-aligned), trigger, error; columns two spaces apart.
    const at = (line: string, column: number) => line.split(/(?<=\S) {2,}(?=\S)/)[column]
    const jobStart = new Set(lines.map(line => line.indexOf(` ${at(line, 3)} `)))
    const durationEnd = new Set(lines.map(line => line.indexOf(`${at(line, 4)} `) + at(line, 4)!.length))
    expect(jobStart.size).toBe(1)
    expect(durationEnd.size).toBe(1)
    const failed = lines.find(line => line.includes('docs:b'))!
    expect(failed).toMatch(/^\S+Z {2}[0-9a-f]{7} {2}error {2}docs:b {2,}\d+ms {2}commit on \w+ {2,}b broke$/)
    expect(lines.find(line => line.includes('release'))).toMatch(/^\S+Z {2}[0-9a-f]{7} {2}ok {5}release {2,}\d+ms {2}manual$/)
  })

  it('colors the columns in a terminal', () => {
    // `script` gives the command a pseudo-terminal; its output comes back with CRLF line ends.
    const command = [...gitvanCommand, 'log', '--status', 'error', '--sha', mainOnly].join(' ')
    const env = Object.fromEntries(Object.entries({ ...testEnv, TERM: 'xterm' }).filter(([key]) => key !== 'NO_COLOR' && key !== 'FORCE_COLOR'))
    const out = execFileSync('script', ['-qec', command, '/dev/null'], { cwd: repo, env, encoding: 'utf8' })
    expect(out).toContain('\u001B[31merror')
    expect(out).toContain(`\u001B[33m${mainOnly.slice(0, 7)}`)
  })
})
