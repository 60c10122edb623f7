import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { recordRun } from '../src/jobs/run-records'
import { cleanupTempFiles, tempFilesJournal } from '../src/utils/fs'
import { HOST_TAG, cleanLeftovers, processStart, recordInFlight } from '../src/utils/journal'
import { waitFor } from './daemon/fixtures/daemon'
import { tempDir } from './utils/repo'

// The record of things in flight that lets a daemon start clean up after a killed GitVan: what it may touch.

/** A record as the process `owner` (`<host>-<pid>-<start ticks>`) would have left it. */
function leave(dir: string, owner: string, value: string): void {
  mkdirSync(join(dir, owner), { recursive: true })
  writeFileSync(join(dir, owner, 'aaaaaaaaaaaa'), value)
}

/** A pid no process has (above the usual pid_max). */
const GONE = 4_194_304 + 12_345

describe('cleanLeftovers', () => {
  it('hands over the records of a process of this host that is gone, and removes them once done', async () => {
    const dir = tempDir()
    leave(dir, `${HOST_TAG}-${GONE}-123`, 'left')
    const seen: unknown[] = []
    await cleanLeftovers(dir, async (leftover) => {
      seen.push(leftover)
      return true
    })
    expect(seen).toEqual([{ pid: GONE, value: 'left' }])
    expect(readdirSync(dir)).toEqual([])
  })

  it('keeps a record its handler is not done with, for the next start', async () => {
    const dir = tempDir()
    leave(dir, `${HOST_TAG}-${GONE}-123`, 'left')
    await cleanLeftovers(dir, async () => false)
    expect(readdirSync(join(dir, `${HOST_TAG}-${GONE}-123`))).toEqual(['aaaaaaaaaaaa'])
  })

  it('leaves another host\'s records, a live process\'s, its own, and names it does not know', async () => {
    const dir = tempDir()
    const own = await recordInFlight(dir, 'mine')
    const owners = ['0badc0de-' + GONE + '-123', `${HOST_TAG}-${process.ppid}-${processStart(process.ppid)}`, 'notes', `${HOST_TAG}-x-1`]
    for (const owner of owners) leave(dir, owner, 'not yours')
    const seen: unknown[] = []
    await cleanLeftovers(dir, async (leftover) => {
      seen.push(leftover)
      return true
    })
    expect(seen).toEqual([])
    expect(readdirSync(dir).length).toBe(owners.length + 1)
    await own()
  })

  it('takes an earlier process with a pid a live process has now (a daemon that is pid 1 of every container start) for gone', async () => {
    const dir = tempDir()
    leave(dir, `${HOST_TAG}-${process.pid}-1`, 'earlier, same pid as this one')
    leave(dir, `${HOST_TAG}-${process.ppid}-1`, 'earlier, same pid as the parent')
    const seen: unknown[] = []
    await cleanLeftovers(dir, async (leftover) => {
      seen.push(leftover)
      return true
    })
    expect(seen).toEqual(expect.arrayContaining([{ pid: process.pid, value: 'earlier, same pid as this one' }, { pid: process.ppid, value: 'earlier, same pid as the parent' }]))
    expect(seen).toHaveLength(2)
  })
})

describe('cleanupTempFiles', () => {
  it('removes only files named as that process names its temp files, whatever a record says', async () => {
    const common = tempDir()
    const work = tempDir()
    const journal = tempFilesJournal(common)
    const temp = join(work, `out.txt.gitvan-${GONE}-${HOST_TAG}-0123456789ab`)
    const files = {
      temp: `${temp}.tmp`,
      // A record cut short by the kill, another process's name, a user's file: none is GitVan's to remove.
      cut: temp,
      other: join(work, `out.txt.gitvan-1-${HOST_TAG}-0123456789ab.tmp`),
      user: join(work, 'notes.txt'),
    }
    for (const file of Object.values(files)) writeFileSync(file, 'x')
    let serial = 0
    for (const file of [...Object.values(files), 'relative.gitvan-1-00000000-0123456789ab.tmp']) {
      mkdirSync(join(journal, `${HOST_TAG}-${GONE}-123`), { recursive: true })
      writeFileSync(join(journal, `${HOST_TAG}-${GONE}-123`, String(serial++).padStart(12, '0')), file)
    }
    expect(await cleanupTempFiles(common)).toEqual([`removed temp file ${files.temp}, left by GitVan process ${GONE} that is gone`])
    expect(Object.values(files).map(existsSync)).toEqual([false, true, true, true])
    expect(readdirSync(journal)).toEqual([])
  })
})

describe('recordRun', () => {
  const runRecords = (commonDir: string) => {
    const journal = join(commonDir, 'gitvan/runs')
    return existsSync(journal) ? readdirSync(journal).flatMap(owner => readdirSync(join(journal, owner))) : []
  }

  it('one record covers the runs that follow each other in a worktree; it goes soon after the last one ends', async () => {
    const commonDir = tempDir()
    const repo = { root: commonDir, gitDir: commonDir, commonDir, head: null, branch: null, worktreeId: 'main' }
    const first = await recordRun(repo, '/work/tree')
    const second = await recordRun(repo, '/work/tree')
    const other = await recordRun(repo, '/work/other')
    expect(runRecords(commonDir)).toHaveLength(2)
    await first()
    await other()
    await second()
    await waitFor('the records to go', () => runRecords(commonDir).length === 0)
  })
})
