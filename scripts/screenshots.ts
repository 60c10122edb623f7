/**
 * The screenshots of the page of runs in docs/images/, made by the browser tooling the tests use: a project with
 * four jobs, a seeded history of runs and a few real ones (with logs), `gitvan ui` from source, Debian's Chromium.
 * `npm run screenshots`.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'pathe'
import { launchBrowser } from '../test/utils/browser'
import { projectRoot, testEnv, writeFiles } from '../test/utils/files'
import { seedRuns } from '../test/utils/seed-runs'
import { startUi } from '../test/utils/ui'

const out = join(projectRoot, 'docs/images')
const repo = join(mkdtempSync(join(tmpdir(), 'gitvan-screenshots-')), 'acme-api')
mkdirSync(repo)
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: testEnv })
git('init', '-q', '-b', 'main')
const flaked = join(repo, '..', 'flaked')
const node = (code: string) => `{ exec: 'cli', cmd: 'node', args: ['-e', ${JSON.stringify(code)}] }`
writeFiles(repo, {
  'jobs/build.ts': `export default defineJob({ meta: { desc: 'Compile the API' }, on: { commit: true }, steps: [${node("console.log('compiled 42 files in 1.9 s')")}] })\n`,
  // Fails the first time, as flaky tests do: the run page then shows both attempts.
  'jobs/test.ts': `export default defineJob({ meta: { desc: 'Unit tests' }, on: { commit: { paths: 'src/**' } }, retry: { count: 1 }, steps: [
  ${node("console.log('✓ api/users.test.ts (12 tests) 340 ms')")},
  ${node(`const fs = require('fs'); console.log('✓ api/cart.test.ts (8 tests) 120 ms'); if (!fs.existsSync(${JSON.stringify(flaked)})) { fs.writeFileSync(${JSON.stringify(flaked)}, ''); console.error('✗ api/orders.test.ts > totals > rounds half up'); console.error('  AssertionError: expected 10.5 to be 10'); process.exit(1) } console.log('✓ api/orders.test.ts (5 tests) 95 ms')`)},
] })\n`,
  'jobs/lint.ts': `export default defineJob({ meta: { desc: 'ESLint' }, on: { commit: true }, steps: [${node("console.log('0 problems')")}] })\n`,
  'jobs/docs/changelog.ts': `export default defineJob({ meta: { desc: 'CHANGELOG.md from conventional commits', schedule: '0 3 * * *' }, on: { tag: { semver: true } }, run: () => ({ ok: true }) })\n`,
})
git('add', '-A')
git('commit', '-q', '-m', 'chore: add gitvan jobs')
seedRuns(repo, { commits: 120, jobs: ['build', 'test', 'lint', 'docs:changelog'], start: Date.now() - 122 * 60_000 })
// The newest commit's runs are real ones, with their logs: build once, test twice (it fails, then passes).
writeFiles(repo, { 'src/orders.ts': 'export const total = (cents: number) => Math.round(cents) / 100\n' })
git('add', '-A')
git('commit', '-q', '-m', 'fix(api): round order totals half up')
for (const job of ['build', 'test', 'test']) spawnSync(process.execPath, [join(projectRoot, 'node_modules/jiti/lib/jiti-cli.mjs'), join(projectRoot, 'src/cli/bin.ts'), 'run', job], { cwd: repo, env: testEnv })

const [browser, ui] = await Promise.all([launchBrowser({ width: 1280, height: 760 }), startUi(repo)])
try {
  const page = await browser.context.newPage()
  const shot = async (path: string, name: string) => {
    await page.goto(new URL(path, ui.url).href)
    await page.locator('#live-state[data-state="live"]').waitFor()
    await page.screenshot({ path: join(out, name) })
    console.log(`docs/images/${name}`)
  }
  await shot('/', 'ui-runs.png')
  await shot('/?status=failed&job=test', 'ui-runs-filtered.png')
  // The pair that failed, then passed: its first attempt, with its log, and the other listed beside it.
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim()
  await shot(`/run?note=${head}&job=test&n=2`, 'ui-run.png')
  await shot('/jobs', 'ui-jobs.png')
} finally {
  await browser.close()
  await ui.stop()
  rmSync(join(repo, '..'), { recursive: true, force: true })
}
