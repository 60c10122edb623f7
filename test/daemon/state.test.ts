import { describe, expect, it } from 'vitest'
import { writeFileCommits } from '../../src/git/file-commit'
import { STATE_REF, readState, updateState } from '../../src/daemon/state'
import { createRepo, sh } from '../utils/repo'

const count = (repo: string) => sh(repo, 'count-objects', '-v').split('\n').find(line => line.startsWith('count:'))

describe('daemon state', () => {
  it('is one blob per change, and an update that changes nothing writes nothing', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    await updateState(repo, state => ({ ...state, heads: { main: head }, branches: ['main'] }))
    const id = sh(repo, 'rev-parse', STATE_REF)
    expect(sh(repo, 'cat-file', '-t', id)).toBe('blob')
    expect(JSON.parse(sh(repo, 'cat-file', 'blob', id)).heads).toEqual({ main: head })
    const objects = count(repo)
    expect((await updateState(repo, state => ({ ...state, branches: ['main'] }))).heads).toEqual({ main: head })
    expect(sh(repo, 'rev-parse', STATE_REF)).toBe(id)
    expect(count(repo)).toBe(objects)
  })

  it('reads the state an older GitVan kept as a commit with state.json, and moves it to a blob on the next change', async () => {
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    const old = { v: 1, heads: { main: head }, tags: ['v1'], branches: ['main'], schedules: {} }
    const [commit] = await writeFileCommits(repo, [{ file: 'state.json', content: JSON.stringify(old), message: 'gitvan daemon state' }])
    sh(repo, 'update-ref', STATE_REF, commit!)
    expect((await readState(repo)).state).toEqual(old)
    await updateState(repo, state => ({ ...state, tags: [...state.tags, 'v2'] }))
    const id = sh(repo, 'rev-parse', STATE_REF)
    expect(sh(repo, 'cat-file', '-t', id)).toBe('blob')
    expect((await readState(repo)).state).toEqual({ ...old, tags: ['v1', 'v2'] })
  })
})
