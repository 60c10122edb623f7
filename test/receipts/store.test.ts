import { describe, expect, it } from 'vitest'
import { importCommits, fastImportData } from '../../src/git/fast-import'
import { readRef } from '../../src/git/refs'
import { LOGS_REF, decodeRunLog, encodeRunLog } from '../../src/receipts/log-format'
import { createReceiptStore } from '../../src/receipts/store'
import type { RunLog } from '../../src/types/log'
import type { Receipt } from '../../src/types/receipt'
import { commitFiles, createRepo, sh } from '../utils/repo'

const REF = 'refs/notes/gitvan/results'

function receiptOn(sha: string, startedAt: string, job = 'build', extra: Partial<Receipt> = {}): Receipt {
  return { v: 1, job, sha, ok: false, status: 'error', trigger: { type: 'manual' }, startedAt, finishedAt: startedAt, durationMs: 5, worktree: 'main', host: 'test', pid: 1, error: 'step test failed', ...extra }
}

function logOf(...lines: string[]): RunLog {
  return { entries: [{ t: 0, step: 'test' }, ...lines.map((err, i) => ({ t: i + 1, err }))] }
}

function setup() {
  const repo = createRepo()
  const sha = sh(repo, 'rev-parse', 'HEAD')
  const written: Receipt[] = []
  const store = createReceiptStore({ cwd: repo, ref: REF, onWritten: receipt => void written.push(receipt) })
  return { repo, sha, store, written }
}

/** Every receipt in the note of `sha`, as git reads it. */
function noteReceipts(repo: string, sha: string): Receipt[] {
  return sh(repo, 'notes', '--ref', REF, 'show', sha).split('\n').map(line => JSON.parse(line))
}

describe('receipt store: receipts with their logs', () => {
  it('append writes the log as a blob the receipt names, on refs/gitvan/logs, in one commit per ref', async () => {
    const { repo, sha, store, written } = setup()
    const quiet = receiptOn(sha, '2026-11-24T00:59:32.309Z', 'quiet', { ok: true, status: 'ok', error: undefined })
    const loud = receiptOn(sha, '2026-11-24T00:59:33.001Z')
    const log = logOf('AssertionError: expected 1 to be 2', 'héllo ✓ "quoted" \\ back')
    const receipts = await store.append([{ receipt: quiet }, { receipt: loud, log }])

    expect(receipts[0]!.log).toBeUndefined()
    const oid = receipts[1]!.log!
    expect(oid).toMatch(/^[0-9a-f]{40}$/)
    expect(written).toEqual(receipts)
    expect(noteReceipts(repo, sha)).toEqual(receipts)
    // The id is git's own for the blob, under the run's day and hour, with its start time in the name.
    expect(sh(repo, 'cat-file', '-t', oid)).toBe('blob')
    expect(sh(repo, 'cat-file', '-p', oid)).toBe(encodeRunLog(loud, log).trimEnd())
    expect(sh(repo, 'ls-tree', '-r', '--name-only', LOGS_REF)).toBe(`2026-11-24/00/005933.001-${oid}`)
    expect(decodeRunLog(sh(repo, 'cat-file', '-p', oid))).toEqual({ header: { v: 1, job: 'build', sha, startedAt: loud.startedAt }, log })
    expect(sh(repo, 'rev-list', '--count', REF)).toBe('1')
    expect(sh(repo, 'rev-list', '--count', LOGS_REF)).toBe('1')
    expect(sh(repo, 'for-each-ref', '--format=%(refname)', 'refs/gitvan/tmp')).toBe('')

    expect(await store.readLogs(receipts)).toEqual([{ status: 'none' }, { status: 'kept', oid, bytes: Buffer.byteLength(encodeRunLog(loud, log)), log }])
  })

  it('writes no log object and leaves refs/gitvan/logs alone for runs with no output', async () => {
    const { repo, sha, store } = setup()
    await store.append([{ receipt: receiptOn(sha, '2026-11-24T00:59:32.309Z') }])
    const published = await store.publish([{ receipt: receiptOn(sha, '2026-11-24T01:00:00.000Z') }], [])
    expect(published?.map(receipt => receipt.log)).toEqual([undefined])
    expect(await readRef(repo, LOGS_REF)).toBeNull()
    expect(noteReceipts(repo, sha)).toHaveLength(2)
  })

  it('publish moves the notes ref, the logs ref and the fence in one transaction, or nothing when a fence fails', async () => {
    const { repo, sha, store, written } = setup()
    const fence = 'refs/gitvan/locks/repo/build/x'
    sh(repo, 'update-ref', fence, sha)
    const run = { receipt: receiptOn(sha, '2026-11-24T02:00:00.000Z'), log: logOf('boom') }

    // A fence that does not hold: nothing is written, and the store says so instead of throwing.
    expect(await store.publish([run], [{ ref: fence, verify: sh(repo, 'rev-parse', 'HEAD^{tree}') }])).toBeNull()
    expect(await readRef(repo, REF)).toBeNull()
    expect(await readRef(repo, LOGS_REF)).toBeNull()
    expect(written).toEqual([])

    const published = await store.publish([run], [{ ref: fence, oldValue: sha, newValue: null }])
    expect(published).toHaveLength(1)
    expect(await readRef(repo, fence)).toBeNull()
    expect(noteReceipts(repo, sha)).toEqual(published)
    expect(await store.readLogs(published!)).toMatchObject([{ status: 'kept', log: run.log }])

    // A second batch builds on both tips: history, no rewrite.
    const second = await store.publish([{ receipt: receiptOn(sha, '2026-11-24T02:00:01.000Z'), log: logOf('again') }], [])
    expect(sh(repo, 'rev-list', '--count', LOGS_REF)).toBe('2')
    expect(sh(repo, 'ls-tree', '-r', '--name-only', LOGS_REF).split('\n')).toHaveLength(2)
    expect(await store.readLogs([...published!, ...second!])).toMatchObject([{ status: 'kept' }, { status: 'kept' }])
  })

  it('concurrent appends lose no receipt and no log', async () => {
    const { repo, sha, store } = setup()
    const runs = Array.from({ length: 8 }, (_, i) => ({ receipt: receiptOn(sha, `2026-11-24T03:00:0${i}.000Z`, `job-${i}`), log: logOf(`output of ${i}`) }))
    await Promise.all(runs.map(run => store.append([run])))
    const receipts = noteReceipts(repo, sha)
    expect(receipts.map(receipt => receipt.job).sort()).toEqual(runs.map(run => run.receipt.job))
    const logs = await store.readLogs(receipts)
    expect(logs.map(log => log.status === 'kept' && (log.log.entries[1] as { err: string }).err).sort()).toEqual(runs.map((_, i) => `output of ${i}`))
  })

  it('reads a log it does not hold as missing, and a blob that is not a log as unreadable', async () => {
    const { repo, sha, store } = setup()
    const [kept] = await store.append([{ receipt: receiptOn(sha, '2026-11-24T04:00:00.000Z'), log: logOf('x') }])
    // A receipt naming a log this clone never fetched (or one pruned).
    const elsewhere = { ...kept!, startedAt: '2026-11-24T05:00:00.000Z' }
    // A blob at a log's place that is not a log.
    const garbage = '0123456789012345678901234567890123456789'
    const tip = (await readRef(repo, LOGS_REF))!
    const [commit] = await importCommits(repo, [{ parent: tip, message: 'by hand', changes: [`M 100644 inline 2026-11-24/06/060000.000-${garbage}\n`, fastImportData('not a log\n')] }])
    sh(repo, 'update-ref', LOGS_REF, commit!)
    const foreign = { ...kept!, startedAt: '2026-11-24T06:00:00.000Z', log: garbage }
    expect(await store.readLogs([elsewhere, foreign, kept!])).toEqual([
      { status: 'missing', oid: kept!.log },
      { status: 'unreadable', oid: garbage, reason: 'line 1 is not JSON: not a log' },
      expect.objectContaining({ status: 'kept' }),
    ])
  })
})

describe('receipt store: pruning logs', () => {
  it('drops old days, old hours and the older logs of the hour cut in, as a new root commit; receipts stay; gc then frees them', async () => {
    const { repo, sha, store } = setup()
    const times = ['2026-10-01T10:00:00.000Z', '2026-11-23T09:59:59.999Z', '2026-11-23T10:15:00.000Z', '2026-11-23T10:45:00.000Z', '2026-11-23T11:00:00.000Z', '2026-11-24T00:00:00.000Z']
    const receipts = await store.append(times.map((startedAt, i) => ({ receipt: receiptOn(sha, startedAt, `job-${i}`), log: logOf(`run ${i}`) })))
    const oids = receipts.map(receipt => receipt.log!)
    commitFiles(repo, {}, 'another commit')
    const before = sh(repo, 'rev-list', '--count', REF)

    const report = await store.pruneLogs(new Date('2026-11-23T10:30:00.000Z'))
    expect(report).toMatchObject({ before: '2026-11-23T10:30:00.000Z', runs: 3 })
    expect(report.paths).toEqual(['2026-10-01', '2026-11-23/09', `2026-11-23/10/101500.000-${oids[2]}`])
    expect(report.bytes).toBe(receipts.slice(0, 3).reduce((sum, receipt, i) => sum + Buffer.byteLength(encodeRunLog(receipt, logOf(`run ${i}`))), 0))
    expect(sh(repo, 'ls-tree', '-r', '--name-only', LOGS_REF).split('\n')).toEqual([
      `2026-11-23/10/104500.000-${oids[3]}`,
      `2026-11-23/11/110000.000-${oids[4]}`,
      `2026-11-24/00/000000.000-${oids[5]}`,
    ])
    expect(sh(repo, 'rev-list', '--count', LOGS_REF)).toBe('1')
    // Receipts untouched, still naming their logs.
    expect(sh(repo, 'rev-list', '--count', REF)).toBe(before)
    expect(noteReceipts(repo, sha)).toEqual(receipts)
    expect((await store.readLogs(receipts)).map(log => log.status)).toEqual(['missing', 'missing', 'missing', 'kept', 'kept', 'kept'])

    // Unreachable now: gc removes the pruned logs and keeps the others.
    sh(repo, 'gc', '--quiet', '--prune=now')
    expect(oids.map(oid => exists(repo, oid))).toEqual([false, false, false, true, true, true])
  })

  it('prunes nothing, and writes nothing, when no log is old enough or there are no logs', async () => {
    const { repo, sha, store } = setup()
    expect(await store.pruneLogs(new Date('2026-11-24T00:00:00.000Z'))).toEqual({ before: '2026-11-24T00:00:00.000Z', runs: 0, bytes: 0, paths: [] })
    await store.append([{ receipt: receiptOn(sha, '2026-11-24T04:00:00.000Z'), log: logOf('x') }])
    const tip = await readRef(repo, LOGS_REF)
    expect((await store.pruneLogs(new Date('2026-11-24T04:00:00.000Z'))).runs).toBe(0)
    expect(await readRef(repo, LOGS_REF)).toBe(tip)
  })
})

function exists(repo: string, oid: string): boolean {
  try {
    sh(repo, 'cat-file', '-e', oid)
    return true
  } catch {
    return false
  }
}
