import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../utils/repo'
import { killDaemons, waitExit, waitFor } from '../daemon/fixtures/daemon'
import { commitsOf, exactlyOnceProblems, git, importCommits } from '../daemon/fixtures/repo'
import { JOBS, cloneMachine, createProject, effectJobs, remoteReceipts, startRunner } from './fixtures/cluster'
import { createBareRepo, startGitDaemon, stopServers } from './fixtures/servers'

afterEach(async () => {
  await killDaemons()
  await stopServers()
})

describe('the remote going away between a claim and its runs', () => {
  it('a claim that landed just before the outage lets go of its items, and they run once the remote answers', async () => {
    const root = tempDir()
    const bare = createBareRepo(root, 'project.git')
    const server = await startGitDaemon(root)
    const url = server.url('project.git')
    const signals = tempDir()
    const source = createProject(tempDir(), url, effectJobs(join(tempDir(), 'effects.log')), { daemon: { pollInterval: 200 } })
    const machine = cloneMachine(url, tempDir())
    const runner = startRunner(machine)
    await waitFor('the first commit to be run', () => runner.runs().length === JOBS.length, { watch: [runner] })

    // The first claim pushed after this point lands, and then the server goes away before the runner reads the
    // receipts under it: the post-receive hook holds the push open until the test has stopped the server.
    writeFileSync(join(bare, 'hooks/post-receive'), [
      '#!/bin/sh',
      `grep -q ' refs/gitvan/locks/claims$' || exit 0`,
      `[ -e ${signals}/claimed ] && exit 0`,
      `touch ${signals}/claimed`,
      `i=0; while [ ! -e ${signals}/stopped ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done`,
      '',
    ].join('\n'))
    chmodSync(join(bare, 'hooks/post-receive'), 0o755)
    importCommits(source, 5)
    git(source, ['push', '-q', 'origin', 'main'])

    await waitFor('the claim to land', () => existsSync(join(signals, 'claimed')), { watch: [runner] })
    await server.stop()
    writeFileSync(join(signals, 'stopped'), '')
    await waitFor('the runner to say the remote is unreachable', () => runner.lines.some(line => line.message?.includes('is unreachable')), { watch: [runner] })
    await server.start()

    const commits = commitsOf(source)
    const checker = tempDir()
    git(checker, ['init', '-q'])
    await waitFor('a receipt for every (job, commit) on the remote', () => remoteReceipts(checker, url).length >= JOBS.length * commits.length, { timeout: 60_000, interval: 500, watch: [runner] })
    expect(exactlyOnceProblems(remoteReceipts(checker, url), JOBS, commits)).toEqual([])
    runner.signal('SIGTERM')
    expect(await waitExit(runner, 30_000)).toEqual({ code: 0, signal: null })
  }, 120_000)
})
