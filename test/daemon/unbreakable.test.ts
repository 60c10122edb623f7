import { spawn } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { casEach } from '../../src/git/cas'
import { CLAIMS_REF } from '../../src/locks/claims'
import { keepLeaseAlive, acquireLease } from '../../src/locks/lease'
import { RUNNERS_PREFIX } from '../../src/locks/runners'
import { commitWith, gitIn, setRef } from '../locks/fixtures/lease-repo'
import { createProject } from '../utils/project'
import { commitFiles, createRepo, sh, testEnv } from '../utils/repo'
import { runLines, runOnce } from './fixtures/in-process'
import { killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { readAllReceipts } from './fixtures/repo'

// Issue 10: hostile and careless ref names and repository states cost the thing they touch, once, and nothing else.

afterEach(killDaemons)

const HEALTHY = 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n'
const ok = (repo: string, job: string) => readAllReceipts(repo).filter(receipt => receipt.job === job && receipt.ok)

describe('names and refs', () => {
  it('tags and branches of any length and script fire their jobs; nothing else stops', async () => {
    const repo = createProject({
      '.gitignore': '.gitvan/\n',
      'jobs/healthy.ts': HEALTHY,
      'jobs/tagged.ts': 'export default defineJob({ on: { tag: \'**\' }, run: () => ({ ok: true }) })\n',
      'jobs/branched.ts': 'export default defineJob({ on: { branch: \'**\' }, run: () => ({ ok: true }) })\n',
    })
    await runOnce(repo)
    const tag = `release-${'x'.repeat(66)}`
    const branch = 'feature/исправление-ошибки-авторизации-пользователей'
    sh(repo, 'tag', tag)
    sh(repo, 'branch', branch)
    const later = commitFiles(repo, { later: '1' }, 'after the names')
    const lines = runLines(await runOnce(repo))
    expect(lines).toContain(`healthy ${later.slice(0, 7)} ok`)
    expect(readAllReceipts(repo).filter(receipt => receipt.job === 'tagged').map(receipt => receipt.trigger.tag)).toEqual([tag])
    expect(readAllReceipts(repo).filter(receipt => receipt.job === 'branched').map(receipt => receipt.trigger.branch)).toEqual([branch])
    expect(runLines(await runOnce(repo))).toEqual([])
  })

  it('a tag of a blob or a tree is skipped with one warning; commit runs and their receipts go on', async () => {
    const repo = createProject({ '.gitignore': '.gitvan/\n', 'jobs/healthy.ts': HEALTHY, 'jobs/tagged.ts': 'export default defineJob({ on: { tag: \'*\' }, run: () => ({ ok: true }) })\n' })
    await runOnce(repo)
    sh(repo, 'tag', 'blob-tag', gitIn(repo, ['hash-object', '-w', '--stdin'], 'x\n'))
    sh(repo, 'tag', 'tree-tag', sh(repo, 'rev-parse', 'HEAD^{tree}'))
    const commit = commitFiles(repo, { a: '1' }, 'a commit')
    const events = await runOnce(repo)
    expect(runLines(events)).toEqual([`healthy ${commit.slice(0, 7)} ok`])
    expect(events.filter(event => event.type === 'warn').map(event => event.type === 'warn' && event.message)).toEqual([
      'tag blob-tag points at a blob, not a commit: on.tag jobs skip it (point it at a commit to run them)',
      'tag tree-tag points at a tree, not a commit: on.tag jobs skip it (point it at a commit to run them)',
    ])
    // Settled: the next pass neither runs nor warns again.
    expect(await runOnce(repo)).toEqual([])
  })
})

describe('leases', () => {
  it('a renewal that meets locked refs is retried and reported, and the lease is kept', async () => {
    const repo = createRepo()
    const ref = `${RUNNERS_PREFIX}busy`
    const lease = (await acquireLease(repo, ref, { owner: 'me', ttl: 3000 }))!
    sh(repo, 'pack-refs', '--all')
    const problems: string[] = []
    const keeper = keepLeaseAlive(repo, lease, { ttl: 3000, onProblem: message => problems.push(message) })
    // Another git holds the ref's lock for over a second: renewals wait, fail, report and try again soon.
    const lock = join(repo, '.git', `${ref}.lock`)
    sh(repo, 'update-ref', '--no-deref', 'refs/gitvan/unrelated', 'HEAD')
    const { mkdirSync, rmSync, writeFileSync } = await import('node:fs')
    mkdirSync(join(lock, '..'), { recursive: true })
    writeFileSync(lock, '')
    await waitFor('a renewal to meet the lock', () => problems.length > 0, { timeout: 10_000 })
    rmSync(lock)
    await waitFor('a renewal to get through', () => keeper.current()!.id !== lease.id, { timeout: 10_000 })
    expect(keeper.signal.aborted).toBe(false)
    expect(problems[0]).toMatch(/^Could not renew refs\/gitvan\/locks\/runners\/busy \(expires in \d+ ms\), retrying in \d+ ms: /)
    await keeper.stop()
  })

  it('creating refs while another git creates and removes their directory is contention, not a failure', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    // A churner makes and deletes a sibling ref, so git creates and removes the shared directory under us.
    const churn = spawn('sh', ['-c', 'while true; do git update-ref refs/gitvan/locks/zz/other HEAD; git update-ref -d refs/gitvan/locks/zz/other; done'], { cwd: repo, env: testEnv, stdio: 'ignore' })
    try {
      for (let i = 0; i < 60; i++) {
        const ref = `refs/gitvan/locks/zz/mine-${i}`
        expect(await casEach(repo, [{ ref, oldValue: null, newValue: head }], 'lose')).toEqual([true])
        expect(await casEach(repo, [{ ref, oldValue: head, newValue: null }], 'wait')).toEqual([true])
      }
    } finally {
      churn.kill()
    }
  })

  it('work held by a dead runner whose lease claims to last for years is taken over, and --once says what it waits for', async () => {
    const repo = createProject({ '.gitignore': '.gitvan/\n', 'gitvan.config.mjs': 'export default { locks: { ttl: 1500 } }\n', 'jobs/healthy.ts': HEALTHY })
    const head = sh(repo, 'rev-parse', 'HEAD')
    const far = Date.now() + 10 * 365 * 24 * 3600 * 1000
    const ghost = (name: string, host: string) => {
      const ref = `${RUNNERS_PREFIX}${name}`
      setRef(repo, ref, commitWith(repo, { 'lease.json': JSON.stringify({ owner: name, host, pid: 999_999_999, nonce: name, expiresAt: far }) }))
      return ref
    }
    // One ghost on this host (its pid is gone: judged at once), one on another host (judged after a ttl of silence).
    const here = ghost('ghost-here', hostname())
    const away = ghost('ghost-away', 'elsewhere.example')
    const items = sh(repo, 'rev-list', 'HEAD').split('\n').map(sha => `healthy ${sha}`)
    setRef(repo, CLAIMS_REF, gitIn(repo, ['hash-object', '-w', '--stdin'], JSON.stringify({ v: 1, claims: { a: { runner: here, since: 0, items: [items[0]], groups: [] }, b: { runner: away, since: 0, items: items.slice(1), groups: [] } } })))
    const daemon = startDaemon(repo, { args: ['--once', '--json'] })
    expect((await waitExit(daemon, 60_000)).code, daemon.stderr()).toBe(0)
    expect(ok(repo, 'healthy').map(receipt => receipt.sha).sort()).toEqual(sh(repo, 'rev-list', 'HEAD').split('\n').sort())
    const warnings = daemon.lines.filter(line => line.type === 'warn').map(line => line.message!)
    expect(warnings.some(message => message.startsWith('took over the work of runner ghost-here: its process 999999999 on'))).toBe(true)
    expect(warnings.some(message => message.startsWith(`waiting for ${items.length - 1} item(s) held by ${away}`))).toBe(true)
    expect(warnings.some(message => message.startsWith('took over the work of runner ghost-away: its lease has not been renewed'))).toBe(true)
    expect(sh(repo, 'for-each-ref', RUNNERS_PREFIX)).toBe('')
    expect(head).toBe(sh(repo, 'rev-parse', 'HEAD'))
  })
})
