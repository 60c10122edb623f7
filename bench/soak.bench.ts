import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'pathe'
import { startDaemon, waitFor } from '../test/daemon/fixtures/daemon'
import { gitEnv, readAllReceipts, writeFiles } from '../test/daemon/fixtures/repo'
import { builtDaemonCli, commitAll, report, tempRepo } from './utils'

/** `SOAK_SECONDS=60 npm run bench soak` for a shorter run; 300 (five minutes) by default. */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300)
const EVERY_MS = 50
const JOBS = 5

/**
 * A long-running daemon under a steady stream: a commit every 50 ms for five minutes, five jobs on each. Prints RSS
 * over time, commit -> job start latency, what GitVan leaves in `.git` (objects, packs, refs), and receipts
 * expected against found.
 */
export default async function benchSoak(): Promise<void> {
  const { cli, cleanup } = builtDaemonCli()
  const repo = tempRepo()
  const starts = join(repo, '.git', 'starts.log')
  try {
    const jobs: Record<string, string> = { '.gitignore': '.gitvan/\n' }
    for (let i = 0; i < JOBS; i++) {
      jobs[`jobs/job${i}.ts`] = i === 0
        // One job notes when each commit's run started: the latency, without touching the others.
        ? `import { appendFileSync } from 'node:fs'\nexport default defineJob({ on: { commit: true }, run({ ctx }) { appendFileSync(${JSON.stringify(starts)}, ctx.head + ' ' + Date.now() + '\\n') } })\n`
        : 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n'
    }
    writeFiles(repo, jobs)
    commitAll(repo, 'soak project')
    const before = objects(repo)
    const daemon = startDaemon(repo, { cli, args: ['--json'] })
    await waitFor('the daemon to start', () => daemon.lines.some(line => line.type === 'start'), { timeout: 60_000, watch: [daemon] })
    const made = new Map<string, number>()
    const rss: [number, number][] = []
    const started = Date.now()
    let next = started
    while (Date.now() - started < SECONDS * 1000) {
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', `soak ${made.size}`], { cwd: repo, env: gitEnv })
      made.set(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim(), Date.now())
      if (rss.length === 0 || Date.now() - rss.at(-1)![0] >= 15_000) rss.push([Date.now(), vmRssMiB(daemon.pid)])
      next += EVERY_MS
      await new Promise(resolve => setTimeout(resolve, Math.max(0, next - Date.now())))
    }
    const expected = (made.size + 1) * JOBS
    await waitFor('every receipt', () => readAllReceipts(repo).length >= expected, { timeout: 300_000, interval: 1000, watch: [daemon] })
    const drained = Date.now()
    daemon.signal('SIGTERM')
    await daemon.exited
    const latencies = readFileSync(starts, 'utf8').trim().split('\n').flatMap((line) => {
      const [sha, at] = line.split(' ')
      return made.has(sha!) ? [Number(at) - made.get(sha!)!] : []
    }).sort((a, b) => a - b)
    const after = objects(repo)
    console.log(`soak: ${made.size} commits in ${SECONDS} s (one every ${EVERY_MS} ms), ${JOBS} jobs; drained ${Math.round((drained - started) / 1000 - SECONDS)} s after the last commit`)
    for (const [at, mib] of rss) report(`  RSS at ${Math.round((at - started) / 1000)} s`, mib, 'MiB')
    report('  commit -> job start, p50', percentile(latencies, 0.5), 'ms')
    report('  commit -> job start, p95', percentile(latencies, 0.95), 'ms')
    report('  receipts expected', expected, 'receipts')
    report('  receipts found', readAllReceipts(repo).length, 'receipts')
    report('  objects added per commit (loose + packed)', (after.objects - before.objects) / made.size, 'objects')
    // Each commit of the stream is one object of its own (empty commits share their tree): the rest is GitVan's.
    report('  of which GitVan\'s (receipts, notes trees and commits, leases, state)', (after.objects - before.objects - made.size) / made.size, 'objects')
    report('  loose objects at the end', after.loose, 'objects')
    report('  packs at the end', after.packs, 'packs')
    report('  size of .git/objects at the end', after.kib / 1024, 'MiB')
    report('  GitVan refs at the end', refs(repo), 'refs')
  } finally {
    rmSync(repo, { recursive: true, force: true })
    cleanup()
  }
}

function objects(repo: string): { objects: number; loose: number; packs: number; kib: number } {
  const fields = Object.fromEntries(execFileSync('git', ['count-objects', '-v'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').map(line => line.split(': ') as [string, string]))
  const number = (key: string) => Number(fields[key] ?? 0)
  return { objects: number('count') + number('in-pack'), loose: number('count'), packs: number('packs'), kib: number('size') + number('size-pack') }
}

function refs(repo: string): number {
  return execFileSync('git', ['for-each-ref', 'refs/gitvan', 'refs/notes'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').filter(Boolean).length
}

function vmRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}
