/**
 * The screenshots of the page of runs in docs/images/, made by the browser tooling the tests use: a project with
 * four jobs and two months of seeded runs, `gitvan ui` from source, Debian's Chromium. `npm run screenshots`.
 */
import { execFileSync } from 'node:child_process'
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
writeFiles(repo, {
  'jobs/build.ts': `export default defineJob({ meta: { desc: 'Compile the API' }, on: { commit: true }, steps: [{ exec: 'cli', cmd: 'npm', args: ['run', 'build'] }] })\n`,
  'jobs/test.ts': `export default defineJob({ meta: { desc: 'Unit tests' }, on: { commit: { paths: 'src/**' } }, retry: { count: 1 }, steps: [{ exec: 'cli', cmd: 'npx', args: ['vitest', 'run'] }] })\n`,
  'jobs/lint.ts': `export default defineJob({ meta: { desc: 'ESLint' }, on: { commit: true }, steps: [{ exec: 'cli', cmd: 'npx', args: ['eslint', '.'] }] })\n`,
  'jobs/docs/changelog.ts': `export default defineJob({ meta: { desc: 'CHANGELOG.md from conventional commits', schedule: '0 3 * * *' }, on: { tag: { semver: true } }, steps: [{ exec: 'tmpl', template: 'changelog.njk', out: 'CHANGELOG.md' }] })\n`,
})
git('add', '-A')
git('commit', '-q', '-m', 'chore: add gitvan jobs')
seedRuns(repo, { commits: 120, jobs: ['build', 'test', 'lint', 'docs:changelog'], start: Date.now() - 121 * 60_000 })

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
  // A pair that failed, then passed on its retry: its first attempt, with the other listed beside it.
  await page.goto(ui.url)
  const retried = await page.locator('.chip[data-job="test"]:has(small)').first().getAttribute('href')
  await page.goto(new URL(retried!, ui.url).href)
  await shot(await page.locator('.attempts li a').first().getAttribute('href') ?? '', 'ui-run.png')
  await shot('/jobs', 'ui-jobs.png')
} finally {
  await browser.close()
  await ui.stop()
  rmSync(join(repo, '..'), { recursive: true, force: true })
}
