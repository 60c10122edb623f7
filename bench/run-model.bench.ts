import { rmSync } from 'node:fs'
import { createCheckouts } from '../src/jobs/checkouts'
import { resolveRepo } from '../src/git/repo'
import { startDaemon } from '../test/daemon/fixtures/daemon'
import { importCommits, readAllReceipts, writeFiles } from '../test/daemon/fixtures/repo'
import { builtDaemonCli, commitAll, median, report, tempRepo } from './utils'

const BACKLOG = 2000
const CHECKOUTS = 40

/**
 * The run model's costs: a backlog with the default per-worktree order, with a concurrency group of 4, and with
 * isolated checkouts; then what one isolated checkout costs, made fresh each time or reused from the pool.
 */
export default async function benchRunModel(): Promise<void> {
  const { cli, cleanup } = builtDaemonCli()
  try {
    const modes = {
      'in order (one job, one worktree)': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
      'concurrency group, max 4': 'export default defineJob({ on: { commit: true }, concurrency: { group: \'g\', max: 4 }, checkout: \'isolated\', run: () => ({ ok: true }) })\n',
      'isolated checkouts': 'export default defineJob({ on: { commit: true }, checkout: \'isolated\', run: () => ({ ok: true }) })\n',
    }
    for (const [label, job] of Object.entries(modes)) {
      const count = label === 'in order (one job, one worktree)' ? BACKLOG : BACKLOG / 10
      const repo = tempRepo()
      try {
        writeFiles(repo, { 'jobs/work.ts': job, '.gitignore': '.gitvan/\n' })
        importCommits(repo, count)
        const started = performance.now()
        const daemon = startDaemon(repo, { cli, args: ['--once', '--lookback', String(count + 10), '--concurrency', '4', '--json'] })
        const exit = await daemon.exited
        const ms = performance.now() - started
        if (exit.code !== 0 || readAllReceipts(repo).length !== count) throw new Error(`${label}: exit ${exit.code}, ${readAllReceipts(repo).length} receipts of ${count}: ${daemon.stderr()}`)
        report(`backlog of ${count}, ${label}`, count / (ms / 1000), 'commits/s')
      } finally {
        rmSync(repo, { recursive: true, force: true })
      }
    }
    await checkoutCost()
  } finally {
    cleanup()
  }
}

/** One isolated checkout of a 500-file repository: `git worktree add` each time, or a pooled one switched and cleaned. */
async function checkoutCost(): Promise<void> {
  const repo = tempRepo()
  try {
    writeFiles(repo, Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`src/file-${i}.ts`, `export const n = ${i}\n`])))
    commitAll(repo, 'files')
    const shas = importCommits(repo, CHECKOUTS)
    const info = await resolveRepo(repo)
    const fresh: number[] = []
    for (const sha of shas) {
      const pool = createCheckouts(info)
      const started = performance.now()
      const checkout = await pool.acquire(sha)
      fresh.push(performance.now() - started)
      await checkout.release()
      await pool.close()
    }
    const pool = createCheckouts(info)
    const reused: number[] = []
    for (const sha of shas) {
      const started = performance.now()
      const checkout = await pool.acquire(sha)
      reused.push(performance.now() - started)
      await checkout.release()
    }
    await pool.close()
    report('isolated checkout, new worktree each run (median)', median(fresh), 'ms')
    report('isolated checkout, reused from the pool (median)', median(reused.slice(1)), 'ms')
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
}
