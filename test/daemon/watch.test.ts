import { writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { refsPrint } from '../../src/daemon/watch'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'

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
