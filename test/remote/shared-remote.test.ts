import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeTime } from '../utils/faketime'
import { tempDir } from '../utils/repo'
import { type DaemonProcess, describeDaemon, killDaemons, startDaemon, waitExit, waitFor } from '../daemon/fixtures/daemon'
import { commitsOf, exactlyOnceProblems, git, importCommits } from '../daemon/fixtures/repo'
import { JOBS, cloneMachine, createProject, effectJobs, remoteGitVanRefs, remoteReceipts, sideEffects, startRunner } from './fixtures/cluster'
import { createBareRepo, startGitDaemon, startHttpServer, stopServers } from './fixtures/servers'

// Several machines, one remote: each runner is a clone of its own, the Git server (git daemon over git://, or
// git http-backend behind lighttpd) is the only thing they share.

afterEach(async () => {
  await killDaemons()
  await stopServers()
})

const warned = (daemon: DaemonProcess, text: string) => daemon.lines.some(line => line.type === 'warn' && line.message?.includes(text))

describe('runners on three machines sharing one remote', () => {
  it('git://: 1,000 commits pushed over time, one runner killed -9, the server down 10 s, one clock 4 s behind: each (job, commit) once', async () => {
    const root = tempDir()
    createBareRepo(root, 'project.git')
    const server = await startGitDaemon(root)
    const url = server.url('project.git')
    const ready = tempDir()
    const effects = join(tempDir(), 'effects.log')
    const source = createProject(tempDir(), url, effectJobs(effects), { locks: { ttl: 10_000 }, daemon: { pollInterval: 200 } }, ready)
    const machines = [cloneMachine(url, tempDir()), cloneMachine(url, tempDir()), cloneMachine(url, tempDir())]
    // The third machine's clock runs 4 s behind: its leases look 4 s shorter to the others, theirs 4 s longer to it.
    const runners = machines.map((dir, i) => startRunner(dir, i === 2 ? { env: fakeTime('-4s') } : {}))
    await waitFor('every runner to finish its first tick', () => runners.every(runner => existsSync(join(ready, `ready-${runner.pid}`))), { timeout: 60_000, watch: runners })

    const [first, victim, skewed] = runners as [DaemonProcess, DaemonProcess, DaemonProcess]
    const live = [first, skewed]
    let outage = 0
    for (let push = 1; push <= 20; push++) {
      importCommits(source, 50)
      git(source, ['push', '-q', 'origin', 'main'])
      if (push === 7) {
        // Mid-backlog: the victim is running work when it dies.
        await waitFor('the victim to run something', () => victim.runs().length > 0, { timeout: 60_000, watch: runners })
        expect((await victim.kill()).signal).toBe('SIGKILL')
      }
      if (push === 12) {
        const stopped = performance.now()
        await server.stop()
        await waitFor('both live runners to say the remote is unreachable', () => live.every(runner => warned(runner, 'is unreachable')), { timeout: 30_000, watch: live })
        // Timers may fire a fraction of a millisecond early by performance.now(): sleep until the 10 s are over.
        while (performance.now() - stopped < 10_000) await sleep(Math.ceil(10_000 - (performance.now() - stopped)))
        outage = performance.now() - stopped
        await server.start()
        await waitFor('both live runners to say the remote answers again', () => live.every(runner => warned(runner, 'answers again')), { timeout: 30_000, watch: live })
      }
      await sleep(100)
    }
    // The project's first commit runs too: the runners found it on their first start.
    const commits = commitsOf(source)
    expect(commits).toHaveLength(1001)
    const checker = tempDir()
    git(checker, ['init', '-q'])
    await waitFor('a receipt for every (job, commit) on the remote', () => remoteReceipts(checker, url).length >= JOBS.length * commits.length, { timeout: 240_000, interval: 1000, watch: live })

    for (const runner of live) runner.signal('SIGTERM')
    const exits = await Promise.all(live.map(runner => waitExit(runner, 60_000)))
    expect(exits, live.map(describeDaemon).join('\n')).toEqual(live.map(() => ({ code: 0, signal: null })))

    const receipts = remoteReceipts(checker, url)
    expect(outage).toBeGreaterThanOrEqual(10_000)
    expect(exactlyOnceProblems(receipts, JOBS, commits)).toEqual([])
    expect(receipts).toHaveLength(JOBS.length * commits.length)
    expect(receipts.some(receipt => receipt.pid === skewed.pid)).toBe(true)
    // The outage was said once per runner, and so was its end.
    for (const runner of live) expect(runner.lines.filter(line => line.message?.includes('is unreachable'))).toHaveLength(1)
    // No lease, no claim left on the remote: the victim's lease went with the first claim after its death.
    expect(remoteGitVanRefs(checker, url).filter(ref => ref.startsWith('refs/gitvan/locks/'))).toEqual([])

    // Side effects: every pair ran; a pair ran twice only when the victim had run it before its receipt was in.
    const ran = sideEffects(effects)
    expect([...ran.keys()].length).toBe(JOBS.length * commits.length)
    const twice = [...ran].filter(([, pids]) => pids.length > 1)
    expect(twice.filter(([, pids]) => pids.length !== 2 || !pids.includes(victim.pid))).toEqual([])

    // A fresh clone after all that: nothing left to run.
    const fresh = startDaemon(cloneMachine(url, tempDir()), { args: ['--once', '--lookback', '5000', '--json'] })
    expect(await waitExit(fresh, 60_000), describeDaemon(fresh)).toEqual({ code: 0, signal: null })
    expect(fresh.runs()).toEqual([])
  }, 420_000)

  it('http (git http-backend behind lighttpd): 3 `daemon --once` over 300 commits, then a fresh clone runs nothing', async () => {
    const root = tempDir()
    createBareRepo(root, 'project.git')
    const server = await startHttpServer(root)
    const url = server.url('project.git')
    const effects = join(tempDir(), 'effects.log')
    const source = createProject(tempDir(), url, effectJobs(effects), { locks: { ttl: 5000 } })
    importCommits(source, 300)
    git(source, ['push', '-q', 'origin', 'main'])
    const commits = commitsOf(source)

    const runners = [cloneMachine(url, tempDir()), cloneMachine(url, tempDir()), cloneMachine(url, tempDir())].map(dir => startRunner(dir, { args: ['--once', '--lookback', '5000', '--json'] }))
    const exits = await Promise.all(runners.map(runner => waitExit(runner, 180_000)))
    expect(exits, runners.map(describeDaemon).join('\n')).toEqual(runners.map(() => ({ code: 0, signal: null })))

    const checker = tempDir()
    git(checker, ['init', '-q'])
    const receipts = remoteReceipts(checker, url)
    expect(exactlyOnceProblems(receipts, JOBS, commits)).toEqual([])
    expect(runners.flatMap(runner => runner.runs())).toHaveLength(JOBS.length * commits.length)
    expect([...sideEffects(effects).values()].filter(pids => pids.length !== 1)).toEqual([])
    expect(remoteGitVanRefs(checker, url).filter(ref => ref.startsWith('refs/gitvan/locks/'))).toEqual([])

    const fresh = startDaemon(cloneMachine(url, tempDir()), { args: ['--once', '--json'] })
    expect(await waitExit(fresh, 60_000), describeDaemon(fresh)).toEqual({ code: 0, signal: null })
    expect(fresh.runs()).toEqual([])
  }, 240_000)
})
