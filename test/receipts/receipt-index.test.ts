import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { writeAnchorCommits } from '../../src/git/file-commit'
import { diffNoteBlobs, listNoteBlobs } from '../../src/git/notes-diff'
import { createReceiptIndex } from '../../src/receipts/receipt-index'
import { createReceiptStore } from '../../src/receipts/store'
import { commitFiles, createRepo, sh } from '../utils/repo'
import { receiptFor } from '../utils/receipts'
import { seedRuns } from '../utils/seed-runs'

const REF = 'refs/notes/gitvan/results'

function repoWith(count: number) {
  const repo = createRepo()
  const shas = Array.from({ length: count }, (_, i) => commitFiles(repo, { [`f${i}.txt`]: `${i}\n` }, `feat: change ${i}\n\nbody line`))
  return { repo, shas, store: createReceiptStore({ cwd: repo, ref: REF }) }
}

describe('notes of a notes commit', () => {
  it('lists every note and diffs two notes commits down to the notes that changed, across fan-out directories', async () => {
    const repo = createRepo()
    // 300 notes: git's fast-import fans them out into ab/cdef… directories.
    const { shas } = seedRuns(repo, { commits: 300, jobs: ['build'] })
    const first = sh(repo, 'rev-parse', REF)
    expect(sh(repo, 'ls-tree', '--name-only', first).split('\n').every(name => name.length === 2)).toBe(true)
    const all = await listNoteBlobs(repo, first)
    expect(all.map(note => note.object).sort()).toEqual([...shas].sort())
    expect(all.find(note => note.object === shas[7])!.blob).toBe(sh(repo, 'rev-parse', `${first}:${shas[7]!.slice(0, 2)}/${shas[7]!.slice(2)}`))

    const store = createReceiptStore({ cwd: repo, ref: REF })
    await store.append([{ receipt: receiptFor(shas[7]!, 'build', { status: 'error' }) }, { receipt: receiptFor(shas[9]!, 'lint') }])
    const second = sh(repo, 'rev-parse', REF)
    const diff = await diffNoteBlobs(repo, first, second)
    expect(diff.map(note => note.object).sort()).toEqual([shas[7], shas[9]].sort())
    sh(repo, 'notes', '--ref', REF, 'remove', shas[9]!)
    expect(await diffNoteBlobs(repo, second, sh(repo, 'rev-parse', REF))).toEqual([{ object: shas[9], blob: null }])
  })
})

describe('createReceiptIndex', () => {
  it('is empty without receipts, then reads what is written, and afterwards only what changed', async () => {
    const { repo, shas, store } = repoWith(3)
    const index = createReceiptIndex({ cwd: repo, ref: REF })
    expect(await index.refresh()).toEqual([])
    expect(index.tip).toBeNull()
    expect(index.runs).toEqual([])

    await store.append([{ receipt: receiptFor(shas[0]!, 'build', { startedAt: '2026-11-01T00:00:00.000Z' }) }, { receipt: receiptFor(shas[1]!, 'build', { startedAt: '2026-11-02T00:00:00.000Z' }) }])
    expect((await index.refresh()).sort()).toEqual([shas[0], shas[1]].sort())
    expect(index.tip).toBe(sh(repo, 'rev-parse', REF))
    expect(index.runs.map(run => run.sha)).toEqual([shas[1], shas[0]])
    expect(index.commit(shas[1]!)).toMatchObject({ subject: 'feat: change 1', author: { name: 'Test', email: 'test@example.com' } })

    // Nothing new: nothing read. A second run of one pair: only its commit is read again, and both attempts stay.
    expect(await index.refresh()).toEqual([])
    await store.append([{ receipt: receiptFor(shas[1]!, 'build', { status: 'error', error: 'exit 1', startedAt: '2026-11-03T00:00:00.000Z' }) }])
    expect(await index.refresh()).toEqual([shas[1]])
    expect(index.runsOf(shas[1]!).map(run => [run.status, run.attempt, run.position])).toEqual([['ok', 1, 1], ['error', 2, 2]])
    expect(index.runs.map(run => run.startedAt)).toEqual(['2026-11-03T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-01T00:00:00.000Z'])
    await index.close()
  })

  it('counts attempts per pair: a tag run of a job is not an attempt of its commit run', async () => {
    const { repo, shas, store } = repoWith(1)
    const sha = shas[0]!
    await store.append([
      { receipt: receiptFor(sha, 'release') },
      { receipt: receiptFor(sha, 'release', { trigger: { type: 'tag', tag: 'v1.0.0', sha } }) },
      { receipt: receiptFor(sha, 'release', { trigger: { type: 'manual' } }) },
    ])
    const index = createReceiptIndex({ cwd: repo, ref: REF })
    await index.refresh()
    expect(index.runsOf(sha).map(run => run.attempt)).toEqual([1, 1, 2])
    await index.close()
  })

  it('keeps a schedule run\'s commit apart from the slot anchor whose note holds it', async () => {
    const { repo, shas, store } = repoWith(1)
    const slot = '2026-11-20T03:00:00.000Z'
    const [anchor] = await writeAnchorCommits(repo, [{ message: `gitvan schedule slot ${slot}`, time: Date.parse(slot) / 1000 }])
    const receipt = receiptFor(shas[0]!, 'nightly', { trigger: { type: 'schedule', slot } })
    expect(await store.publish([{ receipt, on: anchor }, { receipt: { ...receipt, status: 'error', ok: false }, on: anchor }], [])).toHaveLength(2)
    const index = createReceiptIndex({ cwd: repo, ref: REF })
    expect(await index.refresh()).toEqual([anchor])
    expect(index.runsOf(anchor!).map(run => [run.sha, run.note, run.position, run.attempt])).toEqual([[shas[0], anchor, 1, 1], [shas[0], anchor, 2, 2]])
    expect(index.commit(shas[0]!)?.subject).toBe('feat: change 0')
    await index.close()
  })

  it('skips lines that are not receipts and names them', async () => {
    const { repo, shas } = repoWith(1)
    sh(repo, 'notes', '--ref', REF, 'add', '-m', `not json\n${JSON.stringify(receiptFor(shas[0]!, 'build'))}`, shas[0]!)
    const index = createReceiptIndex({ cwd: repo, ref: REF })
    await index.refresh()
    expect(index.runs.map(run => run.job)).toEqual(['build'])
    expect(index.invalid()).toEqual([{ note: shas[0], line: 'not json' }])
    await index.close()
  })

  it('follows a rewritten or deleted ref: reads all notes again when the commit it indexed is gone', async () => {
    const { repo, shas, store } = repoWith(2)
    await store.append([{ receipt: receiptFor(shas[0]!, 'build') }])
    const index = createReceiptIndex({ cwd: repo, ref: REF })
    await index.refresh()
    sh(repo, 'update-ref', '-d', REF)
    expect(await index.refresh()).toEqual([shas[0]])
    expect(index.runs).toEqual([])
    // A history written elsewhere, with the old notes commit pruned from the object store.
    sh(repo, 'reflog', 'expire', '--expire=now', '--all')
    sh(repo, 'gc', '--prune=now', '--quiet')
    await store.append([{ receipt: receiptFor(shas[1]!, 'lint') }])
    expect(await index.refresh()).toEqual([shas[1]])
    expect(index.runs.map(run => run.job)).toEqual(['lint'])
    await index.close()
  })

  it('indexes receipts on a commit the repository lacks (a shallow mirror), without its subject', async () => {
    const { repo, shas, store } = repoWith(1)
    await store.append([{ receipt: receiptFor(shas[0]!, 'build') }])
    const missing = 'f'.repeat(40)
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, input: `${JSON.stringify(receiptFor(missing, 'lint'))}\n`, encoding: 'utf8' }).trim()
    const tip = sh(repo, 'rev-parse', REF)
    const tree = execFileSync('git', ['mktree'], { cwd: repo, input: `${sh(repo, 'ls-tree', tip)}\n100644 blob ${blob}\t${missing}\n`, encoding: 'utf8' }).trim()
    sh(repo, 'update-ref', REF, sh(repo, 'commit-tree', tree, '-p', tip, '-m', 'GitVan receipts'))
    const index = createReceiptIndex({ cwd: repo, ref: REF })
    await index.refresh()
    expect(index.runs.map(run => run.sha).sort()).toEqual([shas[0], missing].sort())
    expect(index.commit(missing)).toBeNull()
    expect(index.commit(shas[0]!)).not.toBeNull()
    await index.close()
  })
})
