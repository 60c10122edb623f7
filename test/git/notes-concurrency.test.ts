import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'pathe'
import { expect, it } from 'vitest'
import { readNotes } from '../../src/git/notes'
import { importHistory } from './fixtures/history'
import { createRepo, sh } from '../utils/repo'

const ROOT = join(import.meta.dirname, '../..')
const WORKERS = 8
const COMMITS = 200
const BATCH = 100
const REF = 'refs/notes/gitvan'

function startWriter(repo: string, worker: number, shas: string[]): { child: ChildProcess; ready: Promise<void>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'jiti/register', 'test/git/fixtures/append-notes.ts', repo, REF, String(worker), String(BATCH), ...shas], { cwd: ROOT })
  let err = ''
  child.stderr!.on('data', (chunk: Buffer) => { err += chunk })
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
  })
  return { child, ready, stderr: () => err }
}

// Plain `git notes append` from several processes loses notes: each moves the ref without checking its old value.
it('8 processes appending to 200 commits at once lose and duplicate nothing', async () => {
  const repo = createRepo({ commit: false })
  const shas = importHistory(repo, COMMITS, 1)
  const writers = Array.from({ length: WORKERS }, (_, worker) => startWriter(repo, worker, shas))
  await Promise.all(writers.map(writer => writer.ready))
  // Released together, so their writes overlap.
  for (const { child } of writers) child.stdin!.end('go\n')
  const codes = await Promise.all(writers.map(async ({ child }) => (await once(child, 'close'))[0]))
  expect(writers.map(writer => writer.stderr())).toEqual(writers.map(() => ''))
  expect(codes).toEqual(writers.map(() => 0))

  const notes = await readNotes(repo, REF)
  expect(notes.size).toBe(COMMITS)
  for (const sha of shas) {
    const lines = notes.get(sha)!.split('\n')
    expect(lines.pop()).toBe('')
    const workers = lines.map(line => JSON.parse(line) as { worker: string; object: string })
    expect(workers.every(entry => entry.object === sha)).toBe(true)
    expect(workers.map(entry => Number(entry.worker)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  }
  // Every successful write is one notes commit: one per batch of every worker, none lost from history either.
  expect(Number(sh(repo, 'rev-list', '--count', REF))).toBe(WORKERS * COMMITS / BATCH)
  expect(sh(repo, 'notes', `--ref=${REF}`, 'show', shas[0]!).split('\n')).toHaveLength(WORKERS)
})
