import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { refsPrint, watchRefs } from '../../src/daemon/watch'
import { commitFiles, createRepo, sh, tempDir, testEnv } from '../utils/repo'
import { waitFor } from './fixtures/daemon'

// What the daemon's fallback poll compares: it must change with every ref change the daemon follows, and only then.

const WATCHED = ['refs/heads', 'refs/tags', 'packed-refs', 'HEAD', 'worktrees']

describe('refsPrint', () => {
  it('changes with every commit, branch, tag, pack-refs and worktree HEAD move; not with anything else', async () => {
    const repo = createRepo()
    const git = join(repo, '.git')
    const print = () => refsPrint(WATCHED.map(path => join(git, path)))
    const changes = async (what: string, change: () => void) => {
      const before = await print()
      change()
      expect(await print(), what).not.toBe(before)
    }

    await changes('a commit on the branch', () => commitFiles(repo, { a: '1' }, 'one'))
    await changes('a new branch in a folder', () => sh(repo, 'branch', 'feature/x'))
    await changes('that branch moved', () => sh(repo, 'update-ref', 'refs/heads/feature/x', 'HEAD~1'))
    await changes('a tag', () => sh(repo, 'tag', 'v1'))
    await changes('refs packed', () => sh(repo, 'pack-refs', '--all'))
    await changes('a packed branch deleted', () => sh(repo, 'branch', '-D', 'feature/x'))
    await changes('a packed tag moved', () => sh(repo, 'tag', '-f', 'v1', 'HEAD~1'))
    const tree = join(tempDir(), 'tree')
    await changes('a worktree added', () => sh(repo, 'worktree', 'add', '-q', '--detach', tree))
    await changes('a detached worktree HEAD moved', () => sh(tree, 'checkout', '-q', '--detach', 'HEAD~1'))
    await changes('the main worktree detached', () => sh(repo, 'checkout', '-q', '--detach'))

    // What the daemon does not follow: the index, objects, notes, GitVan's own refs, files in the work tree.
    const before = await print()
    writeFileSync(join(repo, 'b'), '2')
    sh(repo, 'add', 'b')
    sh(repo, 'notes', 'add', '-m', 'note', 'HEAD')
    sh(repo, 'update-ref', 'refs/gitvan/state', 'HEAD')
    expect(await print()).toBe(before)
  })
})

describe('watchRefs', () => {
  it('calls back after the last commit of a burst made while the caller was busy (chokidar drops a path\'s changes for 50 ms after one)', async () => {
    const repo = createRepo()
    const calls: number[] = []
    // No poll within the test: only the file watcher can call back. Each call holds the thread 30 ms, as a tick's
    // synchronous work does, while another process goes on committing.
    const watcher = watchRefs(join(repo, '.git'), {
      pollInterval: 600_000,
      onChange: () => {
        calls.push(Date.now())
        const until = Date.now() + 30
        while (Date.now() < until) { /* busy, like a tick */ }
      },
    })
    try {
      // chokidar is ready once a first change is reported.
      await waitFor('the watcher to report a commit', () => {
        commitFiles(repo, { ready: String(performance.now()) }, 'ready')
        return calls.length > 0
      }, { interval: 100 })
      const times = join(repo, '.git', 'times')
      const burst = spawn('sh', ['-c', `for i in 1 2 3 4 5 6 7 8 9 10; do git commit -q --allow-empty -m "burst $i"; date +%s%3N >> ${times}; done`], { cwd: repo, env: testEnv })
      await new Promise(resolve => burst.on('exit', resolve))
      const last = Number(readFileSync(times, 'utf8').trim().split('\n').at(-1))
      await waitFor('a call after the last commit of the burst', () => calls.some(at => at > last))
    } finally {
      await watcher.close()
    }
  })
})

describe('watchRefs reports', () => {
  it('the refs whose files moved, or nothing named when anything may have (packed-refs, a folder, HEAD)', async () => {
    const repo = createRepo()
    const calls: (string[] | undefined)[] = []
    const watcher = watchRefs(join(repo, '.git'), { pollInterval: 600_000, onChange: refs => calls.push(refs) })
    try {
      await waitFor('the watcher to report a commit', () => {
        commitFiles(repo, { ready: String(performance.now()) }, 'ready')
        return calls.length > 0
      }, { interval: 100 })
      expect(calls.every(refs => refs?.join(',') === 'refs/heads/main')).toBe(true)
      calls.length = 0
      sh(repo, 'tag', 'v1')
      await waitFor('the tag', () => calls.some(refs => refs?.includes('refs/tags/v1')))
      calls.length = 0
      sh(repo, 'pack-refs', '--all')
      await waitFor('packed refs: anything may have moved', () => calls.includes(undefined))
    } finally {
      await watcher.close()
    }
  })
})
