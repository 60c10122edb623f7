import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { createReceiptStore } from '../src/receipts/store'
import { launchBrowser } from '../test/utils/browser'
import { testEnv } from '../test/utils/files'
import { receiptFor } from '../test/utils/receipts'
import { seedRuns } from '../test/utils/seed-runs'
import { startUi } from '../test/utils/ui'
import { ensureBuilt, median, report, tempRepo } from './utils'

const JOBS = ['build', 'test', 'lint', 'docs:changelog']
const LOADS = 7
const LIVE = 10

/**
 * The page of runs (built CLI, real Chromium): time to first render of the runs page for 1,000 and 20,000 runs
 * (from navigation start to the page's own `gitvan:rendered` mark, set once the page is parsed and styled, and the
 * part of it until the server's first byte), the server's start (indexing every receipt), and the delay from a
 * receipt published to its row shown on an open page.
 */
export default async function () {
  const cli = ensureBuilt()
  const browser = await launchBrowser()
  try {
    for (const runs of [1000, 20_000]) {
      const repo = tempRepo()
      // Four jobs per commit, plus retries and tag runs: a bit over four runs per commit.
      const seeded = seedRuns(repo, { commits: Math.round(runs / 4.09), jobs: JOBS })
      const started = performance.now()
      const ui = await startUi(repo, [], { cli })
      const startMs = performance.now() - started
      const page = await browser.context.newPage()
      const rendered: number[] = []
      const served: number[] = []
      for (let i = 0; i < LOADS; i++) {
        await page.goto(ui.url)
        const marks = await page.evaluate(MARKS) as { rendered: number; served: number }
        // The first load warms the server's sort of the runs and the browser's cache of the assets.
        if (i === 0) continue
        rendered.push(marks.rendered)
        served.push(marks.served)
      }
      report(`gitvan ui start, ${seeded.runs} runs (index built)`, startMs, 'ms')
      report(`runs page rendered, ${seeded.runs} runs, median of ${LOADS - 1}`, median(rendered), 'ms', { max: 500 })
      report(`  of which the server's answer, median`, median(served), 'ms')
      if (runs === 20_000) report(`receipt published → row shown, ${seeded.runs} runs, median of ${LIVE}`, median(await liveDelays(repo, page, ui.url)), 'ms', { max: 1000 })
      await page.close()
      await ui.stop()
      rmSync(repo, { recursive: true, force: true })
    }
  } finally {
    await browser.close()
  }
}

// Page-side code as expressions: it runs in the browser, with the DOM's types, not Node's.
const MARKS = `new Promise(resolve => requestAnimationFrame(() => resolve({
  rendered: performance.getEntriesByName('gitvan:rendered')[0].startTime,
  served: performance.getEntriesByType('navigation')[0].responseStart,
})))`

/** Sets `window.gitvanShown` to a promise of the time the row of `sha` is in the page. */
function watchFor(sha: string): string {
  return `void (window.gitvanShown = new Promise(resolve => new MutationObserver((_, observer) => {
    if (!document.querySelector('#runs > li[data-sha="${sha}"]')) return
    observer.disconnect()
    resolve(Date.now())
  }).observe(document.querySelector('#live'), { childList: true, subtree: true })))`
}

/** For each of LIVE new commits: publish a receipt, and time until the open page shows its row. */
async function liveDelays(repo: string, page: Page, url: string): Promise<number[]> {
  const store = createReceiptStore({ cwd: repo, ref: 'refs/notes/gitvan/results' })
  await page.goto(url)
  await page.locator('#live-state[data-state="live"]').waitFor()
  const delays: number[] = []
  for (let i = 0; i < LIVE; i++) {
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', `feat: live ${i}`], { cwd: repo, env: testEnv })
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim()
    await page.evaluate(watchFor(sha))
    await store.append([{ receipt: receiptFor(sha, 'build') }])
    const published = Date.now()
    delays.push(await page.evaluate('window.gitvanShown') as number - published)
  }
  return delays
}
