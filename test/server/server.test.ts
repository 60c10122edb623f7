import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiptStore } from '../../src/receipts/store'
import { startUiServer } from '../../src/server/server'
import type { RunsPage, UiServer } from '../../src/types/ui'
import { commitFiles, createRepo, sh } from '../utils/repo'
import { allReceipts } from '../utils/daemon'
import { receiptFor } from '../utils/receipts'
import { untilRows } from '../utils/ui'

const REF = 'refs/notes/gitvan/results'

/** Three commits on main and one on a branch, with the receipts a daemon and a manual run leave. */
async function scenario() {
  const repo = createRepo()
  const shas = [1, 2, 3].map(i => commitFiles(repo, { [`src/${i}.ts`]: `${i}\n` }, i === 2 ? 'fix(api): handle empty body' : `feat: step ${i}`))
  sh(repo, 'checkout', '-q', '-b', 'feature/x')
  const branchSha = commitFiles(repo, { 'x.ts': 'x\n' }, 'feat: x')
  sh(repo, 'checkout', '-q', 'main')
  const at = (minute: number) => `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`
  const store = createReceiptStore({ cwd: repo, ref: REF })
  await store.append([
    { receipt: receiptFor(shas[0]!, 'build', { startedAt: at(1) }) },
    { receipt: receiptFor(shas[0]!, 'test', { startedAt: at(1) }) },
    { receipt: receiptFor(shas[1]!, 'build', { startedAt: at(2) }) },
    { receipt: receiptFor(shas[1]!, 'test', { startedAt: at(2), status: 'error', error: 'step 1:cli failed: "vitest" exited with code 1' }) },
    { receipt: receiptFor(shas[1]!, 'test', { startedAt: at(3), status: 'timeout', error: 'timed out after 300000 ms' }) },
    { receipt: receiptFor(shas[2]!, 'build', { startedAt: at(4), worktree: 'wt-2' }) },
    { receipt: receiptFor(shas[2]!, 'release', { startedAt: at(5), trigger: { type: 'tag', tag: 'v1.0.0', sha: shas[2]! } }) },
    { receipt: receiptFor(branchSha, 'build', { startedAt: at(6), trigger: { type: 'commit', sha: branchSha, branch: 'feature/x' } }) },
    { receipt: receiptFor(shas[2]!, 'nightly', { startedAt: at(7), trigger: { type: 'schedule', slot: '2026-11-20T10:07:00.000Z' }, status: 'skipped', reason: 'nothing changed' }) },
  ])
  return { repo, shas, branchSha, store }
}

describe('the page server, on a repository with receipts', () => {
  let ui: UiServer
  let repo: string
  let shas: string[]
  let store: ReturnType<typeof createReceiptStore>
  const api = async (query = '') => (await (await fetch(`${ui.url}api/runs${query}`)).json()) as RunsPage

  beforeAll(async () => {
    ({ repo, shas, store } = await scenario())
    ui = await startUiServer({ cwd: repo, receiptsRef: REF, port: 0 })
  })
  afterAll(() => ui.close())

  it('listens on 127.0.0.1 and groups runs into rows: a commit with a chip per job (newest attempt), a tag, a schedule slot', async () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await api()
    expect(page.rows.map(row => [row.kind, row.label, row.sha.slice(0, 7)])).toEqual([
      ['schedule', '2026-11-20T10:07:00.000Z', shas[2]!.slice(0, 7)],
      ['commit', 'feature/x', sh(repo, 'rev-parse', '--short=7', 'feature/x')],
      ['tag', 'v1.0.0', shas[2]!.slice(0, 7)],
      ['commit', 'main', shas[2]!.slice(0, 7)],
      ['commit', 'main', shas[1]!.slice(0, 7)],
      ['commit', 'main', shas[0]!.slice(0, 7)],
    ])
    const failing = page.rows[4]!
    expect(failing.subject).toBe('fix(api): handle empty body')
    expect(failing.jobs.map(({ run, attempts }) => [run.job, run.status, attempts])).toEqual([['build', 'ok', 1], ['test', 'timeout', 2]])
    expect(page.facets).toEqual({ jobs: ['build', 'nightly', 'release', 'test'], branches: ['feature/x', 'main'], worktrees: ['main', 'wt-2'] })
  })

  it('filters by job, status, branch, worktree, trigger, time and text', async () => {
    const rows = async (query: string) => (await api(query)).rows.map(row => `${row.kind}:${row.sha.slice(0, 7)}:${row.jobs.map(job => job.run.job).join(',')}`)
    const [a, b, c] = shas.map(sha => sha.slice(0, 7))
    expect(await rows('?job=test')).toEqual([`commit:${b}:test`, `commit:${a}:test`])
    expect(await rows('?status=failed')).toEqual([`commit:${b}:test`])
    expect(await rows('?status=skipped')).toEqual([`schedule:${c}:nightly`])
    expect(await rows('?branch=feature/x')).toHaveLength(1)
    expect(await rows('?worktree=wt-2')).toEqual([`commit:${c}:build`])
    expect(await rows('?trigger=tag')).toEqual([`tag:${c}:release`])
    expect(await rows('?since=2026-11-20T10:04:00Z')).toHaveLength(4)
    expect(await rows('?q=EMPTY%20body')).toEqual([`commit:${b}:build,test`])
    expect(await rows('?q=exited%20with%20code')).toEqual([`commit:${b}:test`])
    expect(await rows(`?q=${c}`)).toHaveLength(3)
    expect(await rows('?q=no-such-thing')).toEqual([])
  })

  it('refuses a bad filter with one line saying which value and what would do, as JSON or as a page', async () => {
    const bad = {
      '?status=broken': 'status=broken in the link is not a run status: use ok, error, timeout, skipped, cancelled or failed',
      '?trigger=push': 'trigger=push in the link is not a trigger: use commit, tag, branch, schedule, manual or job',
      '?since=yesterday': 'since=yesterday in the link is not a time: use a duration such as 30m, 24h, 7d or 2w, or a date such as 2026-11-24',
      '?page=0': 'page=0 in the link is not a page number: use a whole number of 1 or more',
    }
    for (const [query, message] of Object.entries(bad)) {
      const response = await fetch(`${ui.url}api/runs${query}`)
      expect([response.status, await response.json()]).toEqual([400, { status: 400, message }])
    }
    const page = await fetch(`${ui.url}?since=yesterday`, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(400)
    expect(await page.text()).toContain('since=yesterday in the link is not a time')
  })

  it('pages rows 50 at a time, newest first', async () => {
    const many = createRepo()
    const more = Array.from({ length: 60 }, (_, i) => commitFiles(many, {}, `chore: ${i}`))
    await createReceiptStore({ cwd: many, ref: REF }).append(more.map((sha, i) => ({ receipt: receiptFor(sha, 'build', { startedAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }) })))
    const server = await startUiServer({ cwd: many, receiptsRef: REF, port: 0 })
    try {
      const first = (await (await fetch(`${server.url}api/runs`)).json()) as RunsPage
      const second = (await (await fetch(`${server.url}api/runs?page=2`)).json()) as RunsPage
      expect([first.total, first.pages, first.rows.length, second.rows.length]).toEqual([60, 2, 50, 10])
      expect(first.rows[0]!.subject).toBe('chore: 59')
      expect(second.rows.at(-1)!.subject).toBe('chore: 0')
      const html = await (await fetch(`${server.url}?page=2&job=build`)).text()
      expect(html).toContain('href="/?job=build">← Newer</a>')
      expect(html).toContain('60 rows · page 2 of 2')
    } finally {
      await server.close()
    }
  })

  it('renders the runs page with filters, chips linking to runs, and its live part alone on request', async () => {
    const html = await (await fetch(`${ui.url}?status=failed`)).text()
    expect(html).toContain('<option value="failed" selected>failed</option>')
    expect(html).toContain(`href="/run?note=${shas[1]}&amp;job=test&amp;n=3"`)
    expect(html).toMatch(/<meta name="gitvan-token" content="[\w-]{32}">/)
    const tip = sh(repo, 'rev-parse', REF)
    expect(html).toContain(`<div id="live" data-tip="${tip}">`)
    const response = await fetch(`${ui.url}?status=failed`, { headers: { 'x-gitvan-live': '1' } })
    expect(response.headers.get('x-gitvan-tip')).toBe(tip)
    const live = await response.text()
    expect(live.startsWith('<ol class="timeline" id="runs">')).toBe(true)
    expect(live).not.toContain('<form')
  })

  it('shows a run: its receipt fields, its commit and every attempt of its pair', async () => {
    const response = await fetch(`${ui.url}run?note=${shas[1]}&job=test&n=3`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('fix(api): handle empty body')
    expect(html).toContain('Test &lt;test@example.com&gt;')
    expect(html).toContain(shas[1])
    expect(html).toContain('timed out after 300000 ms')
    expect(html.match(/<li[^>]*><a href="\/run\?[^"]+">#\d<\/a>/g)).toEqual([
      `<li><a href="/run?note=${shas[1]}&amp;job=test&amp;n=2">#1</a>`,
      `<li aria-current="true"><a href="/run?note=${shas[1]}&amp;job=test&amp;n=3">#2</a>`,
    ])
    // No re-run path was given to this server: no button.
    expect(html).not.toContain('data-rerun')
  })

  it('answers a run link that names no run with 404, and a malformed one with 400', async () => {
    const missing = await fetch(`${ui.url}run?note=${shas[0]}&job=deploy`)
    expect([missing.status, await message(missing)]).toEqual([404, `No run of deploy in the note of ${shas[0]!.slice(0, 7)}: open runs from the runs page`])
    const bad = await fetch(`${ui.url}run?note=HEAD&job=build`)
    expect([bad.status, await message(bad)]).toEqual([400, 'A run link needs note=<full commit sha> and job=<job id>: open runs from the runs page'])
  })

  it('lists the jobs the receipts name, with success rates, when it knows no job definitions', async () => {
    const html = await (await fetch(`${ui.url}jobs`)).text()
    expect(html).toContain('job definitions are unknown')
    expect([...html.matchAll(/<tr data-job="([^"]+)">/g)].map(match => match[1])).toEqual(['build', 'nightly', 'release', 'test'])
    expect(html).toMatch(/data-job="test">[\s\S]*?<strong>33%<\/strong> <span class="desc">of 3<\/span>/)
    expect(html).toMatch(/data-job="build">[\s\S]*?<strong>100%<\/strong> <span class="desc">of 4<\/span>/)
  })

  it('serves its assets from the package, cached for good under their versioned address', async () => {
    const html = await (await fetch(ui.url)).text()
    const href = /<script type="module" src="([^"]+)">/.exec(html)![1]!
    const script = await fetch(new URL(href, ui.url))
    expect([script.status, script.headers.get('content-type'), script.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'])
    expect(await script.text()).toContain('new EventSource(\'/events\')')
    expect((await fetch(`${ui.url}assets/app.js`)).headers.get('cache-control')).toBe('no-cache')
    expect((await fetch(`${ui.url}assets/secrets.txt`)).status).toBe(404)
    expect((await fetch(`${ui.url}assets/..%2f..%2fpackage.json`)).status).toBe(404)
  })

  it('tells open pages about new receipts over server-sent events', async () => {
    const controller = new AbortController()
    const response = await fetch(`${ui.url}events`, { signal: controller.signal })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reader = response.body!.getReader()
    let text = ''
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value)
    }
    await until(/event: ready\n/)
    await store.append([{ receipt: receiptFor(shas[0]!, 'lint') }])
    await until(/event: change\ndata: (.*)\n/)
    const change = JSON.parse(/event: change\ndata: (.*)\n/.exec(text)![1]!)
    expect(change).toEqual({ tip: sh(repo, 'rev-parse', REF), notes: [shas[0]] })
    controller.abort()
    expect((await api('?job=lint')).rows.map(row => row.sha)).toEqual([shas[0]])
  })

  it('escapes what receipts say: anyone who can push notes writes them', async () => {
    const evil = '<img src=x onerror=alert(1)>"\''
    await store.append([{ receipt: receiptFor(shas[0]!, evil, { status: 'error', error: `<script>alert(2)</script>`, reason: evil }) }])
    await untilRows(ui.url, `?job=${encodeURIComponent(evil)}`, 1)
    for (const path of ['', `?job=${encodeURIComponent(evil)}`, `run?note=${shas[0]}&job=${encodeURIComponent(evil)}`, 'jobs']) {
      const html = await (await fetch(`${ui.url}${path}`)).text()
      expect(html, path).not.toMatch(/<img src=x|<script>alert/)
      expect(html, path).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;')
    }
  })

  it('answers only requests addressed to it: another Host (DNS rebinding) is refused', async () => {
    const { port } = new URL(ui.url)
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) expect((await get(ui.url, { host })).status).toBe(200)
    const refused = await get(ui.url, { host: `evil.example:${port}` })
    expect(refused.status).toBe(403)
    expect(refused.body).toContain(`Refused a request for host \\"evil.example:${port}\\": this server answers only 127.0.0.1:${port}`)
  })

  it('refuses actions from another origin, without the page\'s token, or with a wrong one; and says when re-runs are off', async () => {
    const html = await (await fetch(ui.url)).text()
    const token = /<meta name="gitvan-token" content="([^"]+)">/.exec(html)![1]!
    const origin = ui.url.slice(0, -1)
    const body = JSON.stringify({ job: 'test', sha: shas[1] })
    const post = async (headers: Record<string, string>) => {
      const response = await fetch(`${ui.url}api/rerun`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
      return [response.status, await message(response)]
    }
    expect(await post({ 'origin': 'http://evil.example', 'x-gitvan-token': token })).toEqual([403, `Refused an action from origin http://evil.example: actions are taken only from this page (${origin}), use its buttons`])
    expect(await post({ 'x-gitvan-token': token })).toEqual([403, `Refused an action from origin (none): actions are taken only from this page (${origin}), use its buttons`])
    expect(await post({ origin, 'sec-fetch-site': 'cross-site', 'x-gitvan-token': token })).toEqual([403, `Refused an action from origin ${origin}: actions are taken only from this page (${origin}), use its buttons`])
    expect(await post({ origin })).toEqual([403, 'Refused an action without this server\'s token: reload the page (the token changes each time the server starts) and use its buttons'])
    expect(await post({ origin, 'x-gitvan-token': `${token}x` })).toEqual([403, 'Refused an action without this server\'s token: reload the page (the token changes each time the server starts) and use its buttons'])
    expect(await post({ origin, 'x-gitvan-token': token })).toEqual([409, 'Re-runs are off here (read-only): run `gitvan rerun` in a clone with a worktree'])
  })
})

describe('the log on a run page', () => {
  it('shows the log by step with stderr marked, says when a run wrote nothing, and when its log is gone', async () => {
    const repo = createRepo()
    const sha = commitFiles(repo, {}, 'feat: logs')
    const store = createReceiptStore({ cwd: repo, ref: REF })
    await store.append([
      { receipt: receiptFor(sha, 'build', { startedAt: '2026-11-20T10:00:00.000Z' }), log: { entries: [{ t: 1, out: 'before any step' }, { t: 2, step: 'compile' }, { t: 15, out: 'tsc <ok>' }, { t: 20, step: 'test' }, { t: 30, err: 'FAIL a.test.ts' }, { t: 40, cut: { lines: 9, bytes: 900 } }] } },
      { receipt: receiptFor(sha, 'quiet', { startedAt: '2026-11-20T10:00:01.000Z' }) },
    ])
    const ui = await startUiServer({ cwd: repo, receiptsRef: REF, port: 0 })
    try {
      const page = async (job: string) => (await (await fetch(`${ui.url}run?note=${sha}&job=${job}`, { headers: { 'x-gitvan-live': '1' } })).text())
      const build = await page('build')
      const log = build.slice(build.indexOf('<section class="log"'), build.indexOf('</section>', build.indexOf('<section class="log"')))
      const items = [...log.matchAll(/<h3>(step [^<]+)<\/h3>|<span class="(line[^"]*)"><span class="t">([^<]+)<\/span><span class="stream">([^<]*)<\/span>([^<]*)<\/span>/g)]
      expect(items.map(match => match[1] ?? match.slice(2).join(' | '))).toEqual([
        'line | +0.001s |  | before any step',
        'step compile',
        'line | +0.015s |  | tsc &lt;ok&gt;',
        'step test',
        'line stderr | +0.030s | err | FAIL a.test.ts',
        'line cut | +0.040s |  | … 9 lines (900 bytes) cut …',
      ])
      expect(await page('quiet')).toContain('This run wrote no output.')
      const oid = allReceipts(repo).find(receipt => receipt.job === 'build')!.log
      sh(repo, 'update-ref', '-d', 'refs/gitvan/logs')
      expect(await page('build')).toContain(`The log <code>${oid}</code> is not in <code>refs/gitvan/logs</code>: it was pruned`)
    } finally {
      await ui.close()
    }
  })
})

describe('the page server with an access token', () => {
  it('needs one of 16+ characters off loopback, and then every request carries it', async () => {
    const { repo } = await scenario()
    await expect(startUiServer({ cwd: repo, receiptsRef: REF, port: 0, host: '0.0.0.0' })).rejects.toThrow('--host 0.0.0.0 is not loopback: anyone who can reach it could read the runs, so set GITVAN_UI_TOKEN to a secret of 16+ characters first (or keep the default --host 127.0.0.1)')
    await expect(startUiServer({ cwd: repo, receiptsRef: REF, port: 0, accessToken: 'short' })).rejects.toThrow('GITVAN_UI_TOKEN is 5 characters long: use a secret of 16 or more (e.g. `openssl rand -hex 24`)')
    const secret = 'a-long-enough-secret-123'
    // Tests listen on loopback only; a token set there is required just the same.
    const server = await startUiServer({ cwd: repo, receiptsRef: REF, port: 0, accessToken: secret })
    try {
      const url = server.url
      const refused = await fetch(url)
      expect([refused.status, await message(refused)]).toEqual([401, 'This page needs its access token: open it once with ?token=<the value of GITVAN_UI_TOKEN> (or send Authorization: Bearer <token>)'])
      expect((await fetch(`${url}?token=wrong-wrong-wrong-wrong`, { redirect: 'manual' })).status).toBe(401)
      const opened = await fetch(`${url}?job=build&token=${secret}`, { redirect: 'manual' })
      expect([opened.status, opened.headers.get('location')]).toEqual([303, '/?job=build'])
      const cookie = opened.headers.get('set-cookie')!
      expect(cookie).toMatch(/^gitvan_ui_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/)
      expect((await fetch(`${url}?job=build`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200)
      expect((await fetch(`${url}api/runs`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})

/** The one-line message of an error response. */
async function message(response: Response): Promise<string> {
  return ((await response.json()) as { message: string }).message
}

/** A GET with headers fetch() will not set (Host), over node:http. */
async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http')
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = ''
      res.on('data', chunk => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}
