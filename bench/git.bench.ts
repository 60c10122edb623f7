import { rmSync } from 'node:fs'
import { scanCommits } from '../src/git/commits'
import { writeNotes } from '../src/git/notes'
import { importHistory } from '../test/git/fixtures/history'
import { median, report, tempRepo } from './utils'

const COMMITS = 10_000
const NOTES = 1000
const RUNS = 5

/** The Git layer on a 10,000-commit history: a full scan with changed paths, and 1,000 notes in one batch. */
export default async function benchGit(): Promise<void> {
  const repo = tempRepo()
  try {
    const started = performance.now()
    const shas = importHistory(repo, COMMITS, 2)
    report(`generate ${COMMITS} commits (fast-import)`, performance.now() - started, 'ms')

    const scan = await medianOf(async () => {
      const commits = await scanCommits(repo, 'main')
      if (commits.length !== COMMITS || commits[0]!.files.length !== 2) throw new Error(`scan returned ${commits.length} commits`)
    })
    report(`scanCommits, ${COMMITS} commits + paths (median)`, scan, 'ms', { max: 500 })

    // Each run notes another 1,000 commits on the same ref, so later runs build on an existing fan-out tree.
    let run = 0
    const notes = await medianOf(async () => {
      const batch = shas.slice(run * NOTES, ++run * NOTES)
      await writeNotes(repo, 'refs/notes/gitvan', batch.map(object => ({ object, text: JSON.stringify({ object, ok: true }) })))
    })
    report(`writeNotes, ${NOTES} notes in one batch (median)`, notes, 'ms', { max: 200 })
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
}

async function medianOf(run: () => Promise<void>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return median(times)
}
