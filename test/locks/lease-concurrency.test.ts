import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { listRefs } from '../../src/git/refs'
import { LEASE_PREFIX } from '../../src/locks/lease'
import { refOf } from './fixtures/lease-repo'
import { createRepo, tempDir } from '../utils/repo'

const ROOT = join(import.meta.dirname, '../..')
const WORKERS = 8
const LEASES = 50

function startWorker(repo: string, logDir: string, refs: string[]) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'jiti/register', 'test/locks/fixtures/lease-worker.ts', repo, logDir, ...refs], { cwd: ROOT })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk })
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
  })
  return { child, ready, stderr: () => stderr }
}

/** Every log must read "p start, p end, q start, q end, …": any overlap of two holders breaks the pairs. */
function expectOneHolderAtATime(logDir: string, pids: number[]): void {
  for (let i = 0; i < LEASES; i++) {
    const lines = readFileSync(join(logDir, `${i}.log`), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(2 * pids.length)
    const pairs = Array.from({ length: lines.length / 2 }, (_, n) => [lines[2 * n], lines[2 * n + 1]])
    for (const [start, end] of pairs) {
      expect(start).toMatch(/^\d+ start$/)
      expect(end).toBe(start!.replace('start', 'end'))
    }
    // Each worker held each lease exactly once.
    expect(pairs.map(([start]) => Number(start!.split(' ')[0])).sort()).toEqual([...pids].sort())
  }
}

describe('8 processes taking the same 50 leases at once', () => {
  it('never have two holders of one lease, and leave no lease behind', async () => {
    const repo = createRepo()
    const logDir = tempDir()
    const refs = Array.from({ length: LEASES }, (_, i) => refOf(`slot-${i}`, `stress:job-${i % 5}`))
    const workers = Array.from({ length: WORKERS }, () => startWorker(repo, logDir, refs))
    await Promise.all(workers.map(worker => worker.ready))
    // Released together, so their attempts overlap.
    for (const { child } of workers) child.stdin!.end('go\n')
    const codes = await Promise.all(workers.map(async ({ child }) => (await once(child, 'close'))[0]))
    expect(workers.map(worker => worker.stderr())).toEqual(workers.map(() => ''))
    expect(codes).toEqual(workers.map(() => 0))

    expectOneHolderAtATime(logDir, workers.map(({ child }) => child.pid!))
    expect(await listRefs(repo, LEASE_PREFIX)).toEqual([])
  })
})
