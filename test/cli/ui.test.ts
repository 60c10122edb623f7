import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createReceiptStore } from '../../src/receipts/store'
import { DEFAULT_PORT } from '../../src/server/server'
import { gitvan } from '../utils/cli'
import { allReceipts, startDaemon } from '../utils/daemon'
import { createProject } from '../utils/project'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'
import { receiptFor } from '../utils/receipts'
import { startUi, untilRows } from '../utils/ui'

const REF = 'refs/notes/gitvan/results'

async function repoWithRuns() {
  const repo = createProject({ 'jobs/build.ts': `export default defineJob({ meta: { desc: 'Build it', schedule: '0 3 * * *' }, on: { commit: true }, run: () => ({ ok: true }) })\n` })
  const sha = commitFiles(repo, { 'a.txt': 'a\n' }, 'feat: a')
  await createReceiptStore({ cwd: repo, ref: REF }).append([{ receipt: receiptFor(sha, 'build') }, { receipt: receiptFor(sha, 'lint', { status: 'error', error: 'exit 1' }) }])
  return { repo, sha }
}

describe('gitvan ui', () => {
  it('prints the URL of the page first, serves the runs and the jobs of the worktree, and stops on SIGTERM', async () => {
    const { repo, sha } = await repoWithRuns()
    const ui = await startUi(repo)
    try {
      expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const runs = await (await fetch(ui.url)).text()
      expect(runs).toContain(`data-sha="${sha}"`)
      expect(runs).toContain('feat: a')
      const jobs = await (await fetch(`${ui.url}jobs`)).text()
      expect(jobs).toContain('Build it')
      expect(jobs).toContain('<code>0 3 * * *</code>')
      // The next three slots at 03:00 UTC.
      expect(jobs.match(/<time datetime="\d{4}-\d\d-\d\dT03:00:00.000Z">/g)).toHaveLength(3)
      expect(jobs).toMatch(/data-job="lint">[\s\S]*?no longer in jobs\//)
    } finally {
      expect(await ui.stop()).toBe(0)
    }
  })

  it('serves a bare repository or a mirror read-only: receipts without job definitions, no re-runs', async () => {
    const { repo, sha } = await repoWithRuns()
    const mirror = join(tempDir(), 'mirror.git')
    sh(repo, 'clone', '-q', '--mirror', repo, mirror)
    const ui = await startUi(mirror)
    try {
      const runs = await (await fetch(ui.url)).text()
      expect(runs).toContain(`data-sha="${sha}"`)
      expect(runs).toContain('bare repository: read-only')
      expect(await (await fetch(`${ui.url}jobs`)).text()).toContain('job definitions are unknown')
    } finally {
      await ui.stop()
    }
    const refused = await gitvan(['ui', '--port', '0', '--config', 'gitvan.config.ts'], { cwd: mirror })
    expect([refused.code, refused.stderr.trim()]).toEqual([1, `gitvan: --config needs a worktree, and ${mirror} is a bare repository: drop --config (receipts are read from refs/notes/gitvan/results)`])
  })

  it('re-runs a failed pair from the page through gitvan rerun\'s path: one new receipt, then nothing left to re-run', async () => {
    const tried = tempDir()
    const repo = createProject({ 'jobs/flaky.ts': `import { existsSync, writeFileSync } from 'node:fs'\nexport default defineJob({ on: { commit: true }, run: () => existsSync(${JSON.stringify(`${tried}/once`)}) ? { ok: true } : (writeFileSync(${JSON.stringify(`${tried}/once`)}, ''), { ok: false, error: 'flaked' }) })\n` })
    const once = await gitvan(['daemon', '--once', '--allow-failures'], { cwd: repo })
    expect(once.code, once.stderr).toBe(0)
    // The repository's two commits: the flaky job failed on the first it ran on, and passed on the other.
    const sha = allReceipts(repo).find(receipt => receipt.status === 'error')!.sha as string
    const ui = await startUi(repo)
    try {
      const html = await (await fetch(`${ui.url}run?note=${sha}&job=flaky`)).text()
      const token = /<meta name="gitvan-token" content="([^"]+)">/.exec(html)![1]!
      expect(html).toContain(`<button type="button" data-rerun data-note="${sha}" data-job="flaky" data-n="1">Re-run flaky</button>`)
      const post = async (body: unknown) => {
        const response = await fetch(`${ui.url}api/rerun`, { method: 'POST', headers: { 'origin': ui.url.slice(0, -1), 'x-gitvan-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) })
        return [response.status, await response.json() as { outcome?: string; status?: string; message?: string }] as const
      }
      const [status, reply] = await post({ note: sha, job: 'flaky', n: 1 })
      expect([status, reply.outcome, reply.status]).toEqual([200, 'ran', 'ok'])
      expect(reply.message).toMatch(new RegExp(`^flaky ${sha.slice(0, 7)} ok in \\d+ ms; receipt on ${sha.slice(0, 7)} \\(refs/notes/gitvan/results\\)$`))
      expect(allReceipts(repo).filter(receipt => receipt.sha === sha).map(receipt => receipt.status)).toEqual(['error', 'ok'])
      await untilRows(ui.url, '?status=ok&job=flaky', 1)
      expect(await post({ note: sha, job: 'flaky', n: 1 })).toEqual([409, { status: 409, message: `Nothing to re-run: the newest attempt of flaky on ${sha.slice(0, 7)} ended ok` }])
      expect(await post({ note: sha, job: 'flaky', n: 7 })).toEqual([400, { status: 400, message: 'A re-run names a run: {"note": "<full commit sha>", "job": "<job id>", "n": <its position>}; use the button on a failed run\'s page' }])
      expect(await post({ job: 'flaky' })).toEqual([400, { status: 400, message: 'A re-run names a run: {"note": "<full commit sha>", "job": "<job id>", "n": <its position>}; use the button on a failed run\'s page' }])
      expect(allReceipts(repo).filter(receipt => receipt.sha === sha)).toHaveLength(2)
    } finally {
      await ui.stop()
    }
  })

  it('with a shared remote, starts from the receipts the remote holds', async () => {
    const remote = join(tempDir(), 'remote.git')
    sh(tempDir(), 'init', '-q', '--bare', '-b', 'main', remote)
    const here = createProject({ 'gitvan.config.mjs': `export default { remote: 'origin' }\n` })
    sh(here, 'remote', 'add', 'origin', remote)
    sh(here, 'push', '-q', 'origin', 'main')
    // Another machine runs a job and publishes its receipt to the remote.
    const there = join(tempDir(), 'there')
    sh(tempDir(), 'clone', '-q', remote, there)
    const sha = sh(there, 'rev-parse', 'HEAD')
    await createReceiptStore({ cwd: there, ref: REF }).append([{ receipt: receiptFor(sha, 'elsewhere') }])
    sh(there, 'push', '-q', 'origin', REF)
    const ui = await startUi(here)
    try {
      expect((await untilRows(ui.url, '?job=elsewhere', 1, 1)).rows.map(row => row.sha)).toEqual([sha])
    } finally {
      await ui.stop()
    }
  })

  it('takes any free port when the default one is taken', async () => {
    const { repo } = await repoWithRuns()
    // Hold the default port (or find it held already): either way gitvan ui must go elsewhere.
    const holder = createServer()
    await new Promise<void>(resolve => holder.once('error', () => resolve()).listen(DEFAULT_PORT, '127.0.0.1', resolve))
    const ui = await startUi(repo, [], { defaultPort: true })
    try {
      expect(new URL(ui.url).port).not.toBe(String(DEFAULT_PORT))
      expect((await fetch(ui.url)).status).toBe(200)
    } finally {
      await ui.stop()
      holder.close()
    }
  })

  it('opens the page with --open through $BROWSER', async () => {
    const { repo } = await repoWithRuns()
    const dir = tempDir()
    const opened = join(dir, 'opened')
    writeFileSync(join(dir, 'browser'), `#!/bin/sh\necho "$1" > "${opened}"\n`, { mode: 0o755 })
    const ui = await startUi(repo, ['--open'], { env: { BROWSER: join(dir, 'browser') } })
    try {
      while (!existsSync(opened) || readFileSync(opened, 'utf8') === '') await sleep(20)
      expect(readFileSync(opened, 'utf8').trim()).toBe(ui.url)
    } finally {
      await ui.stop()
    }
  })

  it('refuses bad flags and places with one line and exit code 1', async () => {
    const { repo } = await repoWithRuns()
    const busy = createServer()
    await new Promise<void>(resolve => busy.listen(0, '127.0.0.1', resolve))
    const port = (busy.address() as { port: number }).port
    const cases: [string[], string, string][] = [
      [['--host', '0.0.0.0'], repo, 'gitvan: --host 0.0.0.0 is not loopback: anyone who can reach it could read the runs, so set GITVAN_UI_TOKEN to a secret of 16+ characters first (or keep the default --host 127.0.0.1)'],
      [['--port', 'http'], repo, 'gitvan: --port must be a whole number from 0 to 65535, got "http"'],
      [['--port', '70000'], repo, 'gitvan: --port must be a whole number from 0 to 65535, got "70000"'],
      [['--port', String(port)], repo, `gitvan: Port ${port} on 127.0.0.1 is in use: pass another --port, or --port 0 for any free one`],
      [['--host', '192.0.2.1', '--port', '0'], repo, 'gitvan: Cannot listen on --host 192.0.2.1: it is not an address of this machine; use 127.0.0.1, or an address `ip addr` lists'],
      [['--port', '0'], tempDir(), 'is not inside a git repository: pass --cwd with a clone, a bare repository or a mirror'],
    ]
    try {
      for (const [args, cwd, message] of cases) {
        const env = args.includes('192.0.2.1') ? { GITVAN_UI_TOKEN: 'a-long-enough-secret-123' } : undefined
        const result = await gitvan(['ui', ...args], { cwd, env })
        expect(result.code, args.join(' ')).toBe(1)
        expect(result.stderr.trim()).toContain(message)
        expect(result.stderr.trim().split('\n')).toHaveLength(1)
      }
    } finally {
      busy.close()
    }
  })
})

describe('gitvan dev', () => {
  it('serves the page of runs for the session and says where; --no-ui does not', async () => {
    const repo = createProject({ 'jobs/hello.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n' })
    const dev = startDaemon(repo, ['--ui-port', '0'], 'dev')
    try {
      await dev.until(events => events.some(event => event.type === 'ui') && events.some(event => event.type === 'run'))
      const { url } = dev.events.find(event => event.type === 'ui')!
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      await untilRows(url, '?job=hello', 1)
      expect(await (await fetch(url)).text()).toContain('data-job="hello"')
    } finally {
      await dev.stop()
    }
    const quiet = startDaemon(repo, ['--no-ui'], 'dev')
    try {
      commitFiles(repo, {}, 'one more')
      await quiet.until(events => events.some(event => event.type === 'run'))
      expect(quiet.events.some(event => event.type === 'ui')).toBe(false)
    } finally {
      await quiet.stop()
    }
    const bad = await gitvan(['dev', '--ui-port', 'x'], { cwd: createRepo() })
    expect([bad.code, bad.stderr.trim()]).toEqual([1, 'gitvan: --ui-port must be a whole number from 0 to 65535, got "x"'])
  })
})
