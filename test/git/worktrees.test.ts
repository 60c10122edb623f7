import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { GitError } from '../../src/git/error'
import { resolveRepo } from '../../src/git/repo'
import { listWorktrees } from '../../src/git/worktrees'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'

/** Two linked worktrees: one on a branch at a path with spaces and unicode (git names its admin dir `wt-✓-feature`), one detached. */
function repoWithWorktrees() {
  const repo = createRepo()
  const first = sh(repo, 'rev-parse', 'HEAD')
  const head = commitFiles(repo, { 'a.txt': 'a\n' }, 'second')
  const base = tempDir()
  const feature = join(base, 'wt ✓ feature')
  const detached = join(base, 'detached')
  sh(repo, 'worktree', 'add', '-q', '-b', 'feature', feature)
  sh(repo, 'worktree', 'add', '-q', '--detach', detached, first)
  return { repo, first, head, feature, detached }
}

describe('listWorktrees', () => {
  it('lists the main worktree, then the linked ones by id, with heads, branches and states', async () => {
    const { repo, first, head, feature, detached } = repoWithWorktrees()
    sh(repo, 'worktree', 'lock', '--reason', 'on a usb disk', detached)
    expect(await listWorktrees(repo)).toEqual([
      { path: repo, head, branch: 'main', id: 'main', bare: false, detached: false, locked: false, prunable: false },
      { path: detached, head: first, branch: null, id: 'detached', bare: false, detached: true, locked: 'on a usb disk', prunable: false },
      { path: feature, head, branch: 'feature', id: 'wt-✓-feature', bare: false, detached: false, locked: false, prunable: false },
    ])
  })

  it('gives the same answer from inside a linked worktree, and marks a vanished one prunable', async () => {
    const { repo, feature, detached } = repoWithWorktrees()
    sh(repo, 'worktree', 'lock', feature)
    rmSync(detached, { recursive: true })
    const list = await listWorktrees(join(feature))
    expect(list.map(entry => [entry.id, entry.locked, entry.prunable])).toEqual([
      ['main', false, false],
      ['detached', false, expect.stringMatching(/gitdir file points to non-existent location/)],
      ['wt-✓-feature', '', false],
    ])
  })

  it('uses the admin dir name as id when git had to make it unique', async () => {
    const repo = createRepo()
    const a = join(tempDir(), 'same')
    const b = join(tempDir(), 'same')
    sh(repo, 'worktree', 'add', '-q', '--detach', a)
    sh(repo, 'worktree', 'add', '-q', '--detach', b)
    expect((await listWorktrees(repo)).map(entry => [entry.path, entry.id])).toEqual([[repo, 'main'], [a, 'same'], [b, 'same1']])
  })

  it('lists an empty repository with a null head, and a bare one as bare', async () => {
    const empty = createRepo({ commit: false })
    expect(await listWorktrees(empty)).toEqual([{ path: empty, head: null, branch: 'main', id: 'main', bare: false, detached: false, locked: false, prunable: false }])
    const bare = tempDir()
    sh(bare, 'init', '-q', '--bare')
    expect(await listWorktrees(bare)).toEqual([{ path: bare, head: null, branch: null, id: 'main', bare: true, detached: false, locked: false, prunable: false }])
  })

  it('fails in one line outside a repository', async () => {
    const error = await listWorktrees(tempDir()).catch(error_ => error_)
    expect(error).toBeInstanceOf(GitError)
    expect(error.message).toMatch(/not a git repository/)
    expect(error.message).not.toContain('\n')
  })
})

describe('resolveRepo', () => {
  it('describes a linked worktree from a subdirectory of it', async () => {
    const { repo, head, feature } = repoWithWorktrees()
    mkdirSync(join(feature, 'sub dir'))
    expect(await resolveRepo(join(feature, 'sub dir'))).toEqual({
      root: feature,
      gitDir: join(repo, '.git/worktrees/wt-✓-feature'),
      commonDir: join(repo, '.git'),
      head,
      branch: 'feature',
      worktreeId: 'wt-✓-feature',
    })
  })

  it('reports a detached HEAD with a null branch, and an empty repository with a null head', async () => {
    const { first, detached } = repoWithWorktrees()
    expect(await resolveRepo(detached)).toMatchObject({ head: first, branch: null, worktreeId: 'detached' })
    const empty = createRepo({ commit: false })
    expect(await resolveRepo(empty)).toMatchObject({ root: empty, head: null, branch: 'main', worktreeId: 'main' })
  })

  it('names the branch as `git symbolic-ref --short HEAD` does, and reads HEAD as a revision, never as a file', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    // A tag of the branch's name makes git qualify it; a branch named like a remote with a HEAD does not.
    sh(repo, 'tag', 'main')
    writeFileSync(join(repo, 'HEAD'), 'a file named HEAD\n')
    expect(await resolveRepo(repo)).toMatchObject({ head, branch: sh(repo, 'symbolic-ref', '--short', 'HEAD') })
    expect(sh(repo, 'symbolic-ref', '--short', 'HEAD')).toBe('heads/main')
    sh(repo, 'update-ref', 'refs/remotes/origin/HEAD', head)
    sh(repo, 'checkout', '-q', '-b', 'origin')
    expect(await resolveRepo(repo)).toMatchObject({ head, branch: 'origin' })
  })

  it('refuses a bare repository, a git dir and a directory outside any repository in one line', async () => {
    const bare = tempDir()
    sh(bare, 'init', '-q', '--bare')
    const gitDir = join(createRepo(), '.git')
    const cases = [[bare, /is a bare repository: GitVan needs a worktree/], [gitDir, /is inside a git dir, not a worktree/], [tempDir(), /is not inside a git repository: run `git init`/]] as const
    for (const [dir, message] of cases) {
      const error = await resolveRepo(dir).catch(error_ => error_)
      expect(error).toBeInstanceOf(GitError)
      expect(error.message).toMatch(message)
      expect(error.message).not.toContain('\n')
    }
  })
})
