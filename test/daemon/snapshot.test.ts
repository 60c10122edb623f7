import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createSnapshotReader, readSnapshot } from '../../src/daemon/snapshot'
import { commitFiles, createRepo, sh } from '../utils/repo'

describe('the snapshot reader', () => {
  it('reading again only the refs a watcher named comes to the same as listing them all', async () => {
    const repo = createRepo()
    const git = join(repo, '.git')
    const reader = createSnapshotReader(repo, git)
    const same = async (what: string, refs: string[]) => {
      reader.changed(refs)
      const patched = await reader.read()
      const listed = await readSnapshot(repo, git)
      expect({ branches: patched.branches, tags: patched.tags, otherTags: patched.otherTags }, what).toEqual({ branches: listed.branches, tags: listed.tags, otherTags: listed.otherTags })
    }
    await reader.read()
    commitFiles(repo, { a: '1' }, 'one')
    await same('a commit', ['refs/heads/main'])
    sh(repo, 'branch', 'topic')
    await same('a new branch', ['refs/heads/topic'])
    sh(repo, 'tag', 'v1')
    sh(repo, 'tag', '-a', '-m', 'annotated', 'v2', 'HEAD~1')
    await same('a light and an annotated tag', ['refs/tags/v1', 'refs/tags/v2'])
    sh(repo, 'tag', 'blob', sh(repo, 'rev-parse', 'HEAD:a'))
    await same('a tag of a blob', ['refs/tags/blob'])
    sh(repo, 'tag', '-f', 'v1', 'HEAD~1')
    sh(repo, 'tag', '-d', 'blob')
    await same('a tag moved, one deleted', ['refs/tags/v1', 'refs/tags/blob'])
    sh(repo, 'pack-refs', '--all')
    commitFiles(repo, { a: '2' }, 'two')
    sh(repo, 'branch', '-D', 'topic')
    // A packed branch deleted: its name reads as missing through the ref store, loose or packed.
    await same('a commit and a packed branch deleted', ['refs/heads/main', 'refs/heads/topic'])
    await same('nothing named', [])
  })

  it('reuses its reading until told the refs moved', async () => {
    const repo = createRepo()
    const git = join(repo, '.git')
    const reader = createSnapshotReader(repo, git)
    const before = (await reader.read()).branches.get('main')
    const after = commitFiles(repo, { a: '1' }, 'one')
    expect((await reader.read()).branches.get('main')).toBe(before)
    reader.changed()
    expect((await reader.read()).branches.get('main')).toBe(after)
  })
})
