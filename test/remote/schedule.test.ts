import { existsSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeTime } from '../utils/faketime'
import { tempDir } from '../utils/repo'
import { describeDaemon, killDaemons, waitExit, waitFor } from '../daemon/fixtures/daemon'
import { git } from '../daemon/fixtures/repo'
import { cloneMachine, createProject, remoteReceipts, sideEffects, startRunner } from './fixtures/cluster'
import { createBareRepo, startGitDaemon, stopServers } from './fixtures/servers'

afterEach(async () => {
  await killDaemons()
  await stopServers()
})

describe('a schedule on three machines sharing one remote', () => {
  it('a schedule every 10 s across 3 slots: each slot runs once in all, one clock 3 s ahead', async () => {
    const root = tempDir()
    createBareRepo(root, 'project.git')
    const server = await startGitDaemon(root)
    const url = server.url('project.git')
    const ready = tempDir()
    const effects = join(tempDir(), 'effects.log')
    const job = [
      `import { appendFileSync } from 'node:fs'`,
      `export default defineJob({ meta: { schedule: '*/10 * * * * *' }, run({ trigger }) { appendFileSync(${JSON.stringify(effects)}, \`tick \${trigger.slot} \${process.pid}\\n\`); return { ok: true } } })`,
      '',
    ].join('\n')
    createProject(tempDir(), url, { 'jobs/tick.ts': job }, { locks: { ttl: 10_000 }, daemon: { pollInterval: 200 } }, ready)
    const runners = [0, 1, 2].map(i => startRunner(cloneMachine(url, tempDir()), i === 2 ? { env: fakeTime('+3s') } : {}))
    await waitFor('every runner to finish its first tick', () => runners.every(runner => existsSync(join(ready, `ready-${runner.pid}`))), { timeout: 60_000, watch: runners })

    // Three slots pass (about 30 s; the semantics are those of a minute cron, without the wait): every runner's
    // timer fires each slot by its own clock, the skewed one 3 s before the others, which then find the slot
    // claimed or its receipt on the remote.
    await waitFor('3 slots run', () => sideEffects(effects).size >= 3, { timeout: 120_000, interval: 200, watch: runners })
    for (const runner of runners) runner.signal('SIGTERM')
    const exits = await Promise.all(runners.map(runner => waitExit(runner, 60_000)))
    expect(exits, runners.map(describeDaemon).join('\n')).toEqual(runners.map(() => ({ code: 0, signal: null })))

    const checker = tempDir()
    git(checker, ['init', '-q'])
    const receipts = remoteReceipts(checker, url).filter(receipt => receipt.job === 'tick')
    const ran = sideEffects(effects)
    // One run and one receipt per slot, whichever machine ran it (a fourth slot may come before the stop).
    expect(ran.size).toBeGreaterThanOrEqual(3)
    expect([...ran.values()].flat()).toHaveLength(ran.size)
    expect(receipts.filter(receipt => receipt.ok)).toHaveLength(ran.size)
    expect(new Set(receipts.map(receipt => receipt.trigger.slot as string))).toEqual(new Set([...ran.keys()].map(key => key.split(' ')[1])))
  }, 180_000)
})
