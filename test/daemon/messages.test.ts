import { readdirSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createProject } from '../utils/project'
import type { DaemonEvent } from '../../src/types/daemon'
import { commitFiles, sh } from '../utils/repo'
import { canMountTmpfs, mountTmpfs } from '../utils/tmpfs'
import { runLines, runOnce } from './fixtures/in-process'
import { readAllReceipts } from './fixtures/repo'

// Issue 10, item 11: what the daemon says about a bad job is one line that names the file and the line, and the
// healthy job beside it runs on every commit.

/** The healthy job ran, ok, on every commit, and nothing else ran. */
function expectHealthyRuns(repo: string, events: DaemonEvent[]): void {
  const commits = sh(repo, 'rev-list', 'HEAD').split('\n')
  expect(runLines(events).sort()).toEqual(commits.map(sha => `healthy ${sha.slice(0, 7)} ok`).sort())
}

const healthy = { 'jobs/healthy.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n' }

describe('the daemon\'s messages about bad jobs', () => {
  it('an invalid cron expression is a broken job under --once too', async () => {
    const repo = createProject({ ...healthy, 'jobs/nightly.ts': 'export default defineJob({ meta: { schedule: \'0 25 * * *\' }, run: () => ({ ok: true }) })\n' })
    const events = await runOnce(repo)
    expect(events.filter(event => event.type === 'broken')).toEqual([
      { type: 'broken', job: 'nightly', message: 'jobs/nightly.ts: `meta.schedule` must be a valid cron expression (Invalid value for hour: 25), e.g. "0 3 * * *" for 03:00 daily' },
    ])
    expectHealthyRuns(repo, events)
  })

  it('a job file without a default export says that `export default defineJob(...)` is missing, and what it found', async () => {
    const repo = createProject({
      ...healthy,
      'jobs/named.ts': 'export const job = defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
      'jobs/empty.ts': '',
      'jobs/common.ts': 'module.exports = defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
      'jobs/plain.mjs': 'export function run() {}\n',
    })
    const events = await runOnce(repo)
    const missing = '`export default defineJob({ ... })` is missing'
    expect(events.filter(event => event.type === 'broken').sort((a, b) => (a as { job: string }).job.localeCompare((b as { job: string }).job))).toEqual([
      { type: 'broken', job: 'common', message: `jobs/common.ts: ${missing}: module.exports is CommonJS, and job files are ES modules` },
      { type: 'broken', job: 'empty', message: `jobs/empty.ts: ${missing}: the file exports nothing` },
      { type: 'broken', job: 'named', message: `jobs/named.ts: ${missing}: it exports job by name only` },
      { type: 'broken', job: 'plain', message: `jobs/plain.mjs: ${missing}: it exports run by name only` },
    ])
    expectHealthyRuns(repo, events)
  })

  it('an error thrown while a job file loads names its own line, auto-imports or not', async () => {
    const repo = createProject({
      ...healthy,
      'jobs/auto.ts': 'const settings: { retries: number } = { retries: 1 }\n\nthrow new Error(`no config for ${settings.retries}`)\nexport default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
      'jobs/explicit.ts': 'import { defineJob } from \'gitvan\'\n\n\nthrow new Error(\'no config\')\nexport default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
    })
    const events = await runOnce(repo)
    expect(events.filter(event => event.type === 'broken').map(event => (event as { message: string }).message).sort()).toEqual([
      'jobs/auto.ts:3: no config for 1',
      'jobs/explicit.ts:4: no config',
    ])
    expectHealthyRuns(repo, events)
  })

  it('an error thrown inside run() carries the job file\'s line in the receipt, also from an await or a helper', async () => {
    const repo = createProject({
      ...healthy,
      'jobs/thrower.ts': 'export default defineJob({\n  on: { commit: true },\n  run() {\n    const limit: number = 3\n    throw new Error(`over ${limit}`)\n  },\n})\n',
      'jobs/later.ts': 'export default defineJob({\n  on: { commit: true },\n  async run() {\n    await useGit().readFile(\'missing.txt\')\n  },\n})\n',
      'jobs/_lib/check.ts': 'export function check(): never {\n  throw new Error(\'check failed\')\n}\n',
      'jobs/helped.ts': 'import { check } from \'./_lib/check\'\n\nexport default defineJob({ on: { commit: true }, run: () => check() })\n',
    })
    const [sha] = [commitFiles(repo, { a: '1' }, 'a')]
    await runOnce(repo, { lookback: 1 })
    const errors = Object.fromEntries(readAllReceipts(repo).filter(receipt => receipt.sha === sha).map(receipt => [receipt.job, receipt.error ?? receipt.status]))
    expect(errors).toEqual({
      healthy: 'ok',
      thrower: 'jobs/thrower.ts:5: over 3',
      later: expect.stringMatching(/^jobs\/later\.ts:4: ENOENT: no such file or directory, open '.*missing\.txt'$/),
      helped: 'jobs/helped.ts:3: check failed',
    })
  })

  it.skipIf(!canMountTmpfs)('a job\'s own write to a full disk (a real tmpfs: root only) fails that run with one clear line, and leaves no temp file', async () => {
    const repo = createProject({
      ...healthy,
      '.gitignore': 'out/\n.gitvan/\n',
      'jobs/canary.ts': 'export default defineJob({\n  on: { commit: true },\n  async run() {\n    await useGit().writeFile(\'out/big.txt\', \'x\'.repeat(64 * 1024))\n  },\n})\n',
    })
    mountTmpfs(join(repo, 'out'), 16)
    const events = await runOnce(repo)
    const canary = events.filter(event => event.type === 'run' && event.job === 'canary')
    expect(canary.map(event => (event as { error?: string }).error)).toEqual(sh(repo, 'rev-list', 'HEAD').split('\n').map(() => 'jobs/canary.ts:4: ENOSPC: no space left on device, write'))
    expect(runLines(events).filter(line => line.startsWith('healthy')).every(line => line.endsWith(' ok'))).toBe(true)
    expect(readdirSync(join(repo, 'out'))).toEqual([])
  })
})
