import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser } from '../utils/browser'
import type { Browser } from '../utils/browser'
import { gitvan } from '../utils/cli'
import { allReceipts, startDaemon } from '../utils/daemon'
import { createProject } from '../utils/project'
import { commitFiles, tempDir } from '../utils/repo'
import { startUi } from '../utils/ui'
import type { RunningUi } from '../utils/ui'

/**
 * A project whose `test` job fails the first time it runs on a commit whose subject says "break" (a flaky test:
 * it passes when run again), writing to stdout and stderr; `build` is one `cli` step. `attempts` is a folder
 * outside the repository where the job keeps which commits it failed on.
 */
function project(attempts: string) {
  return {
    'gitvan.config.mjs': 'export default { daemon: { pollInterval: 300 } }\n',
    'jobs/build.ts': `export default defineJob({ on: { commit: true }, steps: [{ exec: 'cli', cmd: 'echo', args: ['built'] }] })\n`,
    'jobs/test.ts': `import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
export default defineJob({
  on: { commit: true },
  run({ ctx }) {
    console.log('running 12 tests')
    const subject = execFileSync('git', ['log', '-1', '--format=%s', ctx.head], { cwd: ctx.root, encoding: 'utf8' })
    const tried = ${JSON.stringify(attempts)} + '/' + ctx.head
    if (!subject.includes('break') || existsSync(tried)) return { ok: true }
    writeFileSync(tried, '')
    console.error('1 test failed: expected 2, got 3')
    return { ok: false, error: '1 test failed: expected 2, got 3' }
  },
})
`,
  }
}

describe('the page of runs in Chromium', () => {
  let browser: Browser
  let repo: string
  let shas: string[]
  let ui: RunningUi
  let page: Page

  beforeAll(async () => {
    repo = createProject(project(tempDir()))
    shas = [commitFiles(repo, { 'a.txt': 'a\n' }, 'feat: add a'), commitFiles(repo, { broken: 'x\n' }, 'fix: break the tests'), commitFiles(repo, { 'c.txt': 'c\n' }, 'docs: explain c')]
    const once = await gitvan(['daemon', '--once', '--allow-failures', '--json'], { cwd: repo })
    expect(once.code, once.stderr).toBe(0)
    ;[browser, ui] = await Promise.all([launchBrowser(), startUi(repo)])
    page = await browser.context.newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await ui?.stop()
  })

  it('lists the runs of the scenario: a row per commit, a chip per job, newest first', async () => {
    await page.goto(ui.url)
    const rows = page.locator('#runs > li')
    // Five commits (the repository's first, the project's, then three), two jobs each.
    expect(await attributes(rows, 'data-sha')).toEqual([shas[2], shas[1], shas[0], expect.any(String), expect.any(String)])
    const failing = page.locator(`#runs > li[data-sha="${shas[1]}"]`)
    expect(await failing.locator('.subject').textContent()).toContain('fix: break the tests')
    expect(await attributes(failing.locator('.chip'), 'data-job')).toEqual(['build', 'test'])
    expect(await attributes(failing.locator('.chip'), 'class')).toEqual(['chip status-ok', 'chip status-error'])
    await page.locator('#live-state[data-state="live"]').waitFor()
  })

  it('narrows the runs with a filter, and keeps the filter in the URL', async () => {
    await page.goto(ui.url)
    await Promise.all([page.waitForURL(/status=failed/), page.selectOption('select[name="status"]', 'failed')])
    expect(new URL(page.url()).search).toBe('?status=failed')
    expect(await attributes(page.locator('#runs > li'), 'data-sha')).toEqual([shas[1]])
    await page.fill('input[name="q"]', 'explain')
    await Promise.all([page.waitForURL(/q=explain/), page.press('input[name="q"]', 'Enter')])
    expect(new URL(page.url()).search).toBe('?q=explain&status=failed')
    expect(await page.locator('.empty').textContent()).toContain('No runs match these filters')
    // The shared link opens the same view.
    await page.goto(`${ui.url}?q=explain`)
    expect(await attributes(page.locator('#runs > li'), 'data-sha')).toEqual([shas[2]])
  })

  it('opens a run from its chip: the receipt, the commit, the error line and the log with stderr marked', async () => {
    await page.goto(ui.url)
    await Promise.all([page.waitForURL(/\/run\?/), page.click(`#runs > li[data-sha="${shas[1]}"] .chip[data-job="test"]`)])
    const run = page.locator('article.run')
    expect(await run.getAttribute('data-job')).toBe('test')
    expect(await run.locator('.commit').textContent()).toContain('fix: break the tests')
    expect(await run.locator('.fields').textContent()).toMatch(/status\s*error/)
    expect(await run.locator('.fields .error-line').textContent()).toBe('1 test failed: expected 2, got 3')
    expect(await run.locator('.attempts li').count()).toBe(1)
    const lines = run.locator('#log .line')
    expect(await lines.evaluateAll(items => items.map(item => [item.className, item.querySelector('.stream')!.textContent, item.lastChild!.textContent]))).toEqual([
      ['line', '', 'running 12 tests'],
      ['line stderr', 'err', '1 test failed: expected 2, got 3'],
    ])
    // A composite job's log is by step.
    await page.goto(ui.url)
    await Promise.all([page.waitForURL(/\/run\?/), page.click(`#runs > li[data-sha="${shas[1]}"] .chip[data-job="build"]`)])
    expect(await page.locator('#log .step h3').allTextContents()).toEqual(['step 1:cli'])
    expect(await page.locator('#log .line').allTextContents()).toEqual([expect.stringMatching(/^\+\d+\.\d{3}sbuilt$/)])
  })

  it('re-runs a failed pair with one click: exactly one new receipt, shown without a reload', async () => {
    const before = allReceipts(repo).filter(receipt => receipt.job === 'test' && receipt.sha === shas[1])
    expect(before.map(receipt => receipt.status)).toEqual(['error'])
    await page.goto(ui.url)
    await Promise.all([page.waitForURL(/\/run\?/), page.click(`#runs > li[data-sha="${shas[1]}"] .chip[data-job="test"]`)])
    await page.locator('#live-state[data-state="live"]').waitFor()
    await page.click('button[data-rerun]')
    // The new attempt arrives over server-sent events; the pair now ends ok, so the button is gone.
    await page.locator('.attempts li').nth(1).waitFor()
    expect(await page.locator('.attempts li .status').allTextContents()).toEqual(['error', 'ok'])
    expect(await page.locator('button[data-rerun]').count()).toBe(0)
    const after = allReceipts(repo).filter(receipt => receipt.job === 'test' && receipt.sha === shas[1])
    expect(after.map(receipt => [receipt.status, receipt.trigger.type])).toEqual([['error', 'commit'], ['ok', 'commit']])
  })

  it('refuses an action from another origin, and one from its own page without the token', async () => {
    // A page on another origin (another port of 127.0.0.1) posts to the re-run endpoint, as a hostile site would.
    const other = createServer((_, res) => res.end(`<script>fetch(${JSON.stringify(`${ui.url}api/rerun`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' })</script>`))
    await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
    try {
      const refused = page.waitForResponse(response => response.url().endsWith('/api/rerun'))
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`)
      expect((await refused).status()).toBe(403)
    } finally {
      other.close()
    }
    await page.goto(ui.url)
    const withoutToken = await page.evaluate(async () => {
      const response = await fetch('/api/rerun', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      return [response.status, ((await response.json()) as { message: string }).message]
    })
    expect(withoutToken).toEqual([403, 'Refused an action without this server\'s token: reload the page (the token changes each time the server starts) and use its buttons'])
  })
})

describe('the page of runs under gitvan dev, in Chromium', () => {
  it('shows a commit made while the page is open, without a reload', async () => {
    const repo = createProject(project(tempDir()))
    const dev = startDaemon(repo, ['--ui-port', '0'], 'dev')
    const browser = await launchBrowser()
    try {
      await dev.until(events => events.some(event => event.type === 'ui'))
      const { url } = dev.events.find(event => event.type === 'ui')!
      const page = await browser.context.newPage()
      await page.goto(url)
      await page.locator('#live-state[data-state="live"]').waitFor()
      await page.evaluate(() => Object.assign(globalThis, { loadedOnce: true }))
      const sha = commitFiles(repo, { 'new.txt': 'new\n' }, 'feat: made while the page is open')
      const row = page.locator(`#runs > li[data-sha="${sha}"]`)
      await row.locator('.chip[data-job="test"]').waitFor({ timeout: 20_000 })
      await row.locator('.chip[data-job="build"]').waitFor({ timeout: 20_000 })
      expect(await row.locator('.subject').textContent()).toContain('feat: made while the page is open')
      expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true)
      expect(allReceipts(repo).filter(receipt => receipt.sha === sha)).toHaveLength(2)
    } finally {
      await browser.close()
      await dev.stop()
    }
  })
})

/** One attribute of every element a locator finds, in order. */
function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return locator.evaluateAll((items, attribute) => items.map(item => item.getAttribute(attribute)), name)
}
