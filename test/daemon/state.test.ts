import { describe, expect, it } from 'vitest'
import { writeFileCommits } from '../../src/git/file-commit'
import { SEEN_REF, STATE_REF, readState, updateState } from '../../src/daemon/state'
import { commitFiles, createRepo, sh } from '../utils/repo'

const count = (repo: string) => sh(repo, 'count-objects', '-v').split('\n').find(line => line.startsWith('count:'))

describe('daemon state', () => {
  it('is a blob per part that changed: heads with every settled commit, the tags and branches seen apart', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    await updateState(repo, state => ({ ...state, heads: { main: head }, branches: ['main'] }))
    const [id, seen] = [sh(repo, 'rev-parse', STATE_REF), sh(repo, 'rev-parse', SEEN_REF)]
    expect([sh(repo, 'cat-file', '-t', id), sh(repo, 'cat-file', '-t', seen)]).toEqual(['blob', 'blob'])
    expect(JSON.parse(sh(repo, 'cat-file', 'blob', id))).toEqual({ v: 1, heads: { main: head }, schedules: {} })
    expect(JSON.parse(sh(repo, 'cat-file', 'blob', seen))).toEqual({ v: 1, tags: [], branches: ['main'] })

    const objects = count(repo)
    expect((await updateState(repo, state => ({ ...state, branches: ['main'] }))).heads).toEqual({ main: head })
    expect([sh(repo, 'rev-parse', STATE_REF), sh(repo, 'rev-parse', SEEN_REF), count(repo)]).toEqual([id, seen, objects])

    const next = commitFiles(repo, { a: '1' }, 'one')
    await updateState(repo, state => ({ ...state, heads: { main: next } }))
    expect(sh(repo, 'rev-parse', SEEN_REF)).toBe(seen)
    expect(sh(repo, 'rev-parse', STATE_REF)).not.toBe(id)
    await updateState(repo, state => ({ ...state, tags: ['v1'] }))
    expect(sh(repo, 'rev-parse', SEEN_REF)).not.toBe(seen)
    expect((await readState(repo)).state).toEqual({ v: 1, heads: { main: next }, tags: ['v1'], branches: ['main'], schedules: {} })
  })

  it('reads the state an older GitVan kept as a commit with state.json, and moves it to a blob on the next change', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    const old = { v: 1, heads: { main: head }, tags: ['v1'], branches: ['main'], schedules: {} }
    const [commit] = await writeFileCommits(repo, [{ file: 'state.json', content: JSON.stringify(old), message: 'gitvan daemon state' }])
    sh(repo, 'update-ref', STATE_REF, commit!)
    expect((await readState(repo)).state).toEqual(old)
    await updateState(repo, state => ({ ...state, tags: [...state.tags, 'v2'] }))
    expect([sh(repo, 'cat-file', '-t', STATE_REF), sh(repo, 'cat-file', '-t', SEEN_REF)]).toEqual(['blob', 'blob'])
    expect((await readState(repo)).state).toEqual({ ...old, tags: ['v1', 'v2'] })
  })
})
