import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { lastCommits, scanCommits } from '../../src/git/commits'
import { GitError } from '../../src/git/error'
import { importHistory } from './fixtures/history'
import { commitFiles, createRepo, sh, tempDir, testEnv } from '../utils/repo'

/**
 * root (README) → unicode commit (paths with spaces, a newline, unicode) → rename + delete → empty commit
 * → merge of a side branch. Returns the shas by name.
 */
/** One minute apart, so newest-first order does not depend on how fast the commits were made. */
const at = (minute: number) => `2024-01-02T03:0${minute}:05Z`

function historyRepo() {
  const repo = createRepo({ commit: false })
  const git = (env: Record<string, string>, ...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...testEnv, ...env } })
  const root = commitFiles(repo, { 'README.md': '# test\n' }, 'root', at(0))
  const unicode = commitFiles(repo, { 'dir with space/naïve ✓.txt': 'a\n', 'new\nline.txt': 'b\n', 'gone.txt': 'c\n' }, 'Ünïcode subject ✓\n\nBody line one\n\nBody ✓ line two\n', at(1))
  sh(repo, 'mv', 'dir with space/naïve ✓.txt', 'renamed ✓.txt')
  sh(repo, 'rm', '-q', 'gone.txt')
  git({ GIT_AUTHOR_NAME: 'Zoë Ünïcode', GIT_AUTHOR_EMAIL: 'zoe@example.com', GIT_AUTHOR_DATE: at(2), GIT_COMMITTER_DATE: at(2) }, 'commit', '-q', '-m', 'rename and delete')
  const renamed = sh(repo, 'rev-parse', 'HEAD')
  const empty = commitFiles(repo, {}, 'empty', at(3))
  sh(repo, 'checkout', '-q', '-b', 'side', unicode)
  const side = commitFiles(repo, { 'side.txt': 'side\n' }, 'side', at(4))
  sh(repo, 'checkout', '-q', 'main')
  git({ GIT_AUTHOR_DATE: at(5), GIT_COMMITTER_DATE: at(5) }, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side')
  const merge = sh(repo, 'rev-parse', 'HEAD')
  // git branch refuses a name beginning with "-", but such refs exist: a rev must never be taken for an option.
  sh(repo, 'update-ref', 'refs/heads/-side', side)
  return { repo, root, unicode, renamed, empty, side, merge }
}

describe('scanCommits', () => {
  it('reads every field and the changed paths of each commit, newest first', async () => {
    const { repo, root, unicode, renamed, empty, side, merge } = historyRepo()
    const commits = await scanCommits(repo, 'main')
    expect(commits.map(commit => commit.sha)).toEqual([merge, side, empty, renamed, unicode, root])
    const byName = new Map(commits.map(commit => [commit.sha, commit]))

    expect(byName.get(root)).toEqual({
      sha: root,
      parents: [],
      author: { name: 'Test', email: 'test@example.com' },
      authorTime: Date.parse(at(0)) / 1000,
      commitTime: Date.parse(at(0)) / 1000,
      subject: 'root',
      body: '',
      files: [{ status: 'A', path: 'README.md' }],
    })
    expect(byName.get(unicode)).toMatchObject({
      parents: [root],
      subject: 'Ünïcode subject ✓',
      body: 'Body line one\n\nBody ✓ line two',
      files: [
        { status: 'A', path: 'dir with space/naïve ✓.txt' },
        { status: 'A', path: 'gone.txt' },
        { status: 'A', path: 'new\nline.txt' },
      ],
    })
    expect(byName.get(renamed)).toMatchObject({
      author: { name: 'Zoë Ünïcode', email: 'zoe@example.com' },
      files: [
        { status: 'D', path: 'gone.txt' },
        { status: 'R', from: 'dir with space/naïve ✓.txt', path: 'renamed ✓.txt' },
      ],
    })
    expect(byName.get(empty)!.files).toEqual([])
    // A merge shows what it brought in against its first parent.
    expect(byName.get(merge)).toMatchObject({ parents: [empty, side], files: [{ status: 'A', path: 'side.txt' }] })
  })

  it('takes ranges, exclusions and several revs, with limit, reverse, first-parent and no files', async () => {
    const { repo, root, unicode, renamed, empty, side, merge } = historyRepo()
    const shas = async (revs: string | string[], options = {}) => (await scanCommits(repo, revs, options)).map(commit => commit.sha)
    expect(await shas(`${renamed}..main`)).toEqual([merge, side, empty])
    expect(await shas(['main', `^${unicode}`, '-side'])).toEqual([merge, side, empty, renamed])
    expect(await shas([empty, side])).toEqual([side, empty, renamed, unicode, root])
    expect(await shas('main', { firstParent: true, reverse: true })).toEqual([root, unicode, renamed, empty, merge])
    expect(await shas('main', { limit: 2 })).toEqual([merge, side])
    expect(await shas('main', { limit: 0 })).toEqual([])
    expect(await shas('main..main')).toEqual([])
    expect((await scanCommits(repo, 'main', { files: false })).every(commit => commit.files.length === 0)).toBe(true)
    expect((await lastCommits(repo, 'main', 1))[0]!.sha).toBe(merge)
  })

  it('treats revs as revs only: a name beginning with "-" is a branch, an option-like rev is unknown', async () => {
    const { repo, side } = historyRepo()
    expect((await scanCommits(repo, '-side', { limit: 1 }))[0]!.sha).toBe(side)
    await expect(scanCommits(repo, '--all')).rejects.toThrow(/^Cannot scan commits --all in .*: fatal: bad revision '--all'$/)
  })

  it('fails in one line for an unknown rev or a bad option', async () => {
    const { repo } = historyRepo()
    for (const [revs, options, message] of [
      ['nope', {}, /^Cannot scan commits nope in .*: fatal: bad revision 'nope'$/],
      [['main', 'nope..main'], {}, /^Cannot scan commits main nope..main in .*: fatal: bad revision 'nope..main'$/],
      ['', {}, /^Invalid rev "" to scan in .*: pass a branch, sha or range/],
      ['main', { limit: -1 }, /^Invalid scan limit -1 in .*: pass a whole number/],
      ['main', { limit: 1.5 }, /^Invalid scan limit 1.5/],
    ] as const) {
      const error = await scanCommits(repo, revs as string | string[], options).catch(error_ => error_)
      expect(error).toBeInstanceOf(GitError)
      expect(error.message).toMatch(message)
    }
  })

  it('fails in one line outside a repository', async () => {
    const error = await scanCommits(tempDir(), 'HEAD').catch(error_ => error_)
    expect(error).toBeInstanceOf(GitError)
    expect(error.message).toMatch(/^Cannot scan commits HEAD in .*: fatal: not a git repository/)
    expect(error.message).not.toContain('\n')
  })

  it('gives nothing for no revs, even in an empty repository, and one line for its unborn HEAD', async () => {
    const repo = createRepo({ commit: false })
    expect(await scanCommits(repo, [])).toEqual([])
    const error = await scanCommits(repo, 'HEAD').catch(error_ => error_)
    expect(error).toBeInstanceOf(GitError)
    expect(error.message).toMatch(/^Cannot scan commits HEAD in .*: fatal: /)
    expect(error.message).not.toContain('\n')
  })

  it('parses output far larger than one pipe chunk', async () => {
    const repo = createRepo({ commit: false })
    const shas = importHistory(repo, 1000)
    const commits = await scanCommits(repo, 'main', { reverse: true })
    expect(commits.map(commit => commit.sha)).toEqual(shas)
    expect(commits.every(commit => commit.files.length === 2 && commit.subject.startsWith('commit '))).toBe(true)
    expect(commits[999]!.body).toBe('Generated for the git layer tests.')
  })
})
