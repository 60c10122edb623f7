import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { createGitVan } from '../../src/app/create'
import { useExec } from '../../src/composables/exec'
import { useGit } from '../../src/composables/git'
import { tryUseGitVan, useGitVan, withGitVan } from '../../src/context/use-gitvan'
import { createGitVanContext } from '../../src/context/create-context'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'

async function contextFor(repo: string, extra: Parameters<typeof createGitVanContext>[0] extends infer O ? Partial<O> : never = {}) {
  const app = await createGitVan({ cwd: repo })
  return createGitVanContext({ app, ...extra })
}

describe('the GitVan context', () => {
  afterEach(() => {
    delete process.env.GITVAN_NOW
  })

  it('useGitVan() outside a run is a clear error; tryUseGitVan() is undefined', () => {
    expect(() => useGitVan()).toThrow('useGitVan() was called outside a GitVan context: call it inside a job\'s run()')
    expect(tryUseGitVan()).toBeUndefined()
  })

  it('withGitVan carries the context across awaits and timers', async () => {
    const ctx = await contextFor(createRepo())
    const seen = await withGitVan(ctx, async () => {
      await new Promise(resolve => setTimeout(resolve, 5))
      return useGitVan()
    })
    expect(seen).toBe(ctx)
  })

  it('has the seed shape, and now() is the commit time, GITVAN_NOW, or the clock', async () => {
    const repo = createRepo()
    const ctx = await contextFor(repo, { commitTime: 1_700_000_000 })
    expect(ctx).toMatchObject({ root: repo, worktreeRoot: repo, head: sh(repo, 'rev-parse', 'HEAD'), branch: 'main', worktree: { id: 'main', branch: 'main' } })
    expect(ctx.now().toISOString()).toBe('2023-11-14T22:13:20.000Z')
    process.env.GITVAN_NOW = '2024-02-03T04:05:06Z'
    expect((await contextFor(repo, { commitTime: 1_700_000_000 })).now().toISOString()).toBe('2024-02-03T04:05:06.000Z')
    delete process.env.GITVAN_NOW
    const before = Date.now()
    expect((await contextFor(repo)).now().getTime()).toBeGreaterThanOrEqual(before)
  })

  it('env holds only the allowlist and GITVAN_* variables', async () => {
    process.env.GITVAN_TEST_SECRET = 'hidden'
    const ctx = await contextFor(createRepo())
    delete process.env.GITVAN_TEST_SECRET
    expect(Object.keys(ctx.env).every(key => ctx.config.env.includes(key) || key.startsWith('GITVAN_'))).toBe(true)
    expect(ctx.env.GITVAN_TEST_SECRET).toBeUndefined()
  })
})

describe('useGit()', () => {
  it('reads and writes files inside the root and refuses paths that leave it', async () => {
    const repo = createRepo()
    const outside = tempDir()
    symlinkSync(outside, join(repo, 'link-out'))
    const ctx = await contextFor(repo)
    await withGitVan(ctx, async () => {
      const git = useGit()
      await git.writeFile('dir with space/ü.txt', 'hello')
      expect(await git.readFile('dir with space/ü.txt')).toBe('hello')
      for (const path of ['../x', '/etc/passwd', 'link-out/x', 'a/../../x']) {
        await expect(git.writeFile(path, 'x')).rejects.toThrow(/^Refusing path/)
        await expect(git.readFile(path)).rejects.toThrow(/^Refusing path/)
      }
    })
    expect(readFileSync(join(repo, 'dir with space/ü.txt'), 'utf8')).toBe('hello')
    expect(() => readFileSync(join(outside, 'x'))).toThrow()
  })

  it('status, isClean, commits, changedPaths and show', async () => {
    const repo = createRepo()
    const first = commitFiles(repo, { 'a.txt': '1', 'b.txt': '1' }, 'feat: add a and b')
    sh(repo, 'mv', 'b.txt', 'c.txt')
    const second = commitFiles(repo, { 'a.txt': '2' }, 'fix: change a, rename b')
    const ctx = await contextFor(repo)
    await withGitVan(ctx, async () => {
      const git = useGit()
      expect(await git.isClean()).toBe(true)
      writeFileSync(join(repo, 'new.txt'), 'x')
      expect(await git.status()).toEqual([{ index: '?', worktree: '?', path: 'new.txt' }])
      expect(await git.isClean()).toBe(false)
      expect((await git.commits(undefined, { limit: 2 })).map(c => c.subject)).toEqual(['fix: change a, rename b', 'feat: add a and b'])
      expect(await git.changedPaths(first)).toEqual([{ status: 'M', path: 'a.txt' }, { status: 'R', from: 'b.txt', path: 'c.txt' }])
      expect(await git.show('a.txt', first)).toBe('1')
      expect(await git.show('c.txt')).toBe('1')
      expect(await git.show('missing.txt')).toBeNull()
      expect(await git.refs.read('refs/heads/main')).toBe(second)
      await git.notes.append(second, 'one')
      await git.notes.append(second, 'two')
      expect(await git.notes.read(second)).toBe('one\ntwo\n')
      expect((await git.worktrees()).map(w => w.id)).toEqual(['main'])
    })
  })

  it('in an empty repository, what needs a commit says so', async () => {
    const repo = createRepo({ commit: false })
    await withGitVan(await contextFor(repo), async () => {
      await expect(useGit().show('x')).rejects.toThrow('The repository has no commit yet')
    })
  })
})

describe('useExec()', () => {
  it('runs commands with an argument array in the worktree, with the run environment, honouring the run signal', async () => {
    const repo = createRepo()
    mkdirSync(join(repo, 'sub'))
    const controller = new AbortController()
    const ctx = await contextFor(repo, { signal: controller.signal, env: { FROM_RUN: 'yes' } })
    await withGitVan(ctx, async () => {
      const exec = useExec()
      const printed = await exec.run('sh', ['-c', 'printf "%s %s" "$FROM_RUN" "$(pwd)"'], { cwd: 'sub' })
      expect(printed).toMatchObject({ ok: true, stdout: `yes ${join(repo, 'sub')}`, exitCode: 0 })
      expect((await exec.run('printf', ['%s', '$(id); rm -rf /'])).stdout).toBe('$(id); rm -rf /')
      const pending = exec.run('sleep', ['10'])
      controller.abort(new Error('shutting down'))
      expect((await pending).ok).toBe(false)
      expect((await exec.exec({ exec: 'cli', cmd: 'true' })).ok).toBe(false)
    })
  })
})
