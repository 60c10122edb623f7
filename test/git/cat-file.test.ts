import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createCatFile } from '../../src/git/cat-file'
import { GitError } from '../../src/git/error'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'

const ROOT = join(import.meta.dirname, '../..')

/** A repository with a binary file (every byte value, LF and NUL included) and a unicode path with spaces. */
function repoWithBlobs() {
  const repo = createRepo()
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256))
  writeFileSync(join(repo, 'bin.dat'), binary)
  commitFiles(repo, { 'dir with space/naïve ✓.txt': 'héllo\n', 'empty.txt': '' }, 'blobs')
  return { repo, binary }
}

describe('createCatFile', () => {
  it('reads binary blobs byte for byte, pipelined in order', async () => {
    const { repo, binary } = repoWithBlobs()
    const cat = createCatFile(repo)
    const [bin, text, empty, missing, commit] = await Promise.all([
      cat.read('HEAD:bin.dat'),
      cat.readText('HEAD:dir with space/naïve ✓.txt'),
      cat.read('HEAD:empty.txt'),
      cat.read('HEAD:nope'),
      cat.read('HEAD'),
    ])
    expect(bin!.type).toBe('blob')
    expect(bin!.size).toBe(4096)
    expect(Buffer.compare(bin!.content, binary)).toBe(0)
    expect(bin!.oid).toBe(sh(repo, 'rev-parse', 'HEAD:bin.dat'))
    expect(text).toBe('héllo\n')
    expect(empty).toMatchObject({ type: 'blob', size: 0 })
    expect(empty!.content.length).toBe(0)
    expect(missing).toBeNull()
    expect(commit!.type).toBe('commit')
    expect(commit!.content.toString()).toContain('\n\nblobs\n')
    await cat.close()
  })

  it('answers exists and info without reading content, null for missing objects', async () => {
    const { repo } = repoWithBlobs()
    const cat = createCatFile(repo)
    expect(await cat.exists('HEAD:bin.dat')).toBe(true)
    expect(await cat.exists('0123456789012345678901234567890123456789')).toBe(false)
    expect(await cat.exists('-x')).toBe(false)
    expect(await cat.info('HEAD^{tree}')).toMatchObject({ type: 'tree', oid: sh(repo, 'rev-parse', 'HEAD^{tree}') })
    expect(await cat.info('refs/heads/nope')).toBeNull()
    expect(await cat.readText('HEAD:nope')).toBeNull()
    await cat.close()
  })

  it('refuses revs with a newline, carriage return or NUL, and empty revs, in one line', async () => {
    const { repo } = repoWithBlobs()
    const cat = createCatFile(repo)
    for (const rev of ['HEAD\ninfo HEAD', 'HEAD\r', 'HE\0AD', '']) {
      const error = await cat.read(rev).catch(error_ => error_)
      expect(error).toBeInstanceOf(GitError)
      expect(error.message).toMatch(/^Invalid rev .* for git cat-file in .*: pass a non-empty rev without newline/)
      expect(error.message).not.toContain('\n')
    }
    // The refused requests never reached git: the stream is still in step.
    expect(await cat.readText('HEAD:empty.txt')).toBe('')
    await cat.close()
  })

  it('rejects pending requests with a GitError when git dies, and restarts on next use', async () => {
    const { repo } = repoWithBlobs()
    const cat = createCatFile(repo)
    // Some revs make git die rather than answer "missing": a path outside the repository is one.
    const results = await Promise.allSettled([cat.readText('HEAD:empty.txt'), cat.read('HEAD:../outside'), cat.read('HEAD:bin.dat')])
    expect(results[0]).toEqual({ status: 'fulfilled', value: '' })
    for (const result of results.slice(1)) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(GitError)
      expect(reason.message).toMatch(/cat-file .*exit 128.*outside repository/)
    }
    expect(await cat.readText('HEAD:dir with space/naïve ✓.txt')).toBe('héllo\n')
    await cat.close()
  })

  it('close() waits for pending answers, and a later request starts a new process', async () => {
    const { repo } = repoWithBlobs()
    const cat = createCatFile(repo)
    const pending = cat.readText('HEAD:empty.txt')
    await cat.close()
    expect(await pending).toBe('')
    expect(await cat.exists('HEAD')).toBe(true)
    await cat.close()
    await cat.close()
  })

  it('fails requests in one line outside a repository', async () => {
    const cat = createCatFile(tempDir())
    const error = await cat.read('HEAD').catch(error_ => error_)
    expect(error).toBeInstanceOf(GitError)
    expect(error.message).toMatch(/not a git repository/)
    expect(error.message).not.toContain('\n')
  })

  it('does not keep the Node process alive once idle', () => {
    const { repo } = repoWithBlobs()
    const child = spawnSync(process.execPath, ['--import', 'jiti/register', 'test/git/fixtures/cat-file-idle.ts', repo], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 })
    expect(child.stderr).toBe('')
    expect(child.status).toBe(0)
    expect(child.stdout).toBe('# test\ncrashed\n# test\n')
  })
})
