import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'pathe'
import { type DaemonProcess, startDaemon, waitFor } from '../test/daemon/fixtures/daemon'
import { commitsOf, gitEnv, importCommits, readAllReceipts, writeFiles } from '../test/daemon/fixtures/repo'
import { builtDaemonCli, median, report, tempRepo } from './utils'

const BACKLOG = 5000
const BACKLOG_RUNS = 3
const LATENCY_COMMITS = 200
const MEMORY_RUNS = 10_000
const MEMORY_BATCH = 200

/**
 * The daemon, as users run it (the built CLI): a 5,000-commit backlog with `--once`, the latency from a commit to
 * its job's start in a long-running daemon, and the daemon's memory over 10,000 runs. `npm run bench daemon <part>`
 * runs only the parts whose name contains `<part>` (backlog, latency, memory).
 */
export default async function benchDaemon(): Promise<void> {
  const only = process.argv[3]
  const parts: [string, (cli: string[]) => Promise<void>][] = [
    ['backlog', backlog],
    ['latency', cli => latency(cli, 'worker')],
    ['latency', cli => latency(cli, 'none')],
    ['memory', cli => memory(cli)],
    // As before job workers: what the workers add.
    ['memory-none', cli => memory(cli, {}, 'none')],
    // The same with glibc's malloc told to keep fewer arenas and give freed memory back: what is left is the daemon's.
    ['memory', cli => memory(cli, { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '65536' })],
  ]
  const { cli, cleanup } = builtDaemonCli()
  try {
    for (const [name, part] of parts) if (!only || name.includes(only)) await part(cli)
  } finally {
    cleanup()
  }
}

/**
 * `--once --lookback 6000` over 5,000 new commits, one job matching each: commits per second, with job code in job
 * workers (`jobs.isolation: 'worker'`, the default) and in the daemon's thread (`'none'`, as before job workers),
 * alternately, so that both see the same load: their ratio is what the workers cost.
 */
async function backlog(cli: string[]): Promise<void> {
  const figures = { worker: [] as BacklogFigures[], none: [] as BacklogFigures[] }
  for (let n = 0; n < BACKLOG_RUNS; n++) {
    for (const isolation of ['worker', 'none'] as const) figures[isolation].push(await backlogRun(cli, isolation))
  }
  const wall = { worker: median(figures.worker.map(f => f.wall)), none: median(figures.none.map(f => f.wall)) }
  for (const isolation of ['worker', 'none'] as const) {
    const runs = figures[isolation]
    report(`daemon --once, ${BACKLOG} commits, jobs.isolation ${isolation} (wall, median of ${BACKLOG_RUNS})`, wall[isolation], 'ms')
    reportAtLeast('  commits/s, whole process', BACKLOG / (wall[isolation] / 1000), 'commits/s', 2000)
    report('  startup: spawn -> first job run', median(runs.map(f => f.startup)), 'ms')
    reportAtLeast('  commits/s, first run start -> last run line', BACKLOG / (median(runs.map(f => f.work)) / 1000), 'commits/s', 2000)
  }
  console.log(`  worker / none, whole process wall time: ${(wall.worker / wall.none).toFixed(2)}`)
}

interface BacklogFigures {
  wall: number
  work: number
  startup: number
}

async function backlogRun(cli: string[], isolation: 'worker' | 'none'): Promise<BacklogFigures> {
  const repo = tempRepo()
  const starts = join(repo, '.git', 'first-runs.log')
  try {
    writeFiles(repo, {
      'gitvan.config.mjs': `export default { jobs: { isolation: '${isolation}' } }\n`,
      // Records when its first run started (epoch ms), once per copy of the module (one per job worker).
      'jobs/count.ts': [
        `import { appendFileSync } from 'node:fs'`,
        'let first = true',
        `export default defineJob({ on: { commit: true }, run() { if (first) { first = false; appendFileSync(${JSON.stringify(starts)}, (performance.timeOrigin + performance.now()) + '\\n') } return { ok: true } } })`,
        '',
      ].join('\n'),
    })
    importCommits(repo, BACKLOG)
    const spawnedAt = performance.timeOrigin + performance.now()
    const daemon = startDaemon(repo, { cli, args: ['--once', '--lookback', '6000', '--json'] })
    const exit = await daemon.exited
    const wall = performance.timeOrigin + performance.now() - spawnedAt
    if (exit.code !== 0) throw new Error(`daemon --once failed (${exit.code ?? exit.signal}): ${daemon.stderr()}`)
    const runs = daemon.runs()
    const receipts = readAllReceipts(repo)
    if (runs.length !== BACKLOG || receipts.length !== BACKLOG) throw new Error(`expected ${BACKLOG} runs and receipts, got ${runs.length} runs and ${receipts.length} receipts`)
    const first = Math.min(...readFileSync(starts, 'utf8').trim().split('\n').map(Number))
    const last = Date.parse(runs.at(-1)!.time)
    return { wall, work: last - first, startup: first - spawnedAt }
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
}

/** A long-running daemon (watcher), 200 commits made one at a time: commit made -> its job started, in a job worker or not. */
async function latency(cli: string[], isolation: 'worker' | 'none'): Promise<void> {
  const repo = tempRepo()
  const starts = join(repo, '.git', 'starts.log')
  const ticks = join(repo, '.git', 'ticks.log')
  let daemon: DaemonProcess | undefined
  try {
    writeFiles(repo, {
      // Poll rarely: ticks come from the watcher. Each tick appends how many runs it started, when it is over.
      'gitvan.config.mjs': [
        `import { appendFileSync } from 'node:fs'`,
        `export default { daemon: { pollInterval: 60_000 }, jobs: { isolation: '${isolation}' }, hooks: { 'daemon:tick': info => appendFileSync(${JSON.stringify(ticks)}, info.queued + '\\n') } }`,
        '',
      ].join('\n'),
      'jobs/stamp.ts': [
        `import { appendFileSync } from 'node:fs'`,
        `export default defineJob({ on: { commit: true }, run({ trigger }) { appendFileSync(${JSON.stringify(starts)}, trigger.sha + ' ' + (performance.timeOrigin + performance.now()) + '\\n') } })`,
        '',
      ].join('\n'),
    })
    importCommits(repo, 1)
    daemon = startDaemon(repo, { cli, args: ['--json'] })
    const d = daemon
    const tickLines = () => (existsSync(ticks) ? readFileSync(ticks, 'utf8').split('\n').filter(Boolean).map(Number) : [])
    /** A tick that ran something ended at or after line `from` of the tick log. */
    const ranSince = (from: number) => tickLines().slice(from).some(queued => queued > 0)
    /** Idle again: after the tick that dispatched a run, the tick asked for when its runs finished settled them. */
    const settledSince = (from: number) => {
      const lines = tickLines().slice(from)
      const dispatched = lines.findIndex(queued => queued > 0)
      return dispatched !== -1 && lines.slice(dispatched + 1).includes(0)
    }
    await waitFor('the first tick with a run', () => ranSince(0), { timeout: 60_000, watch: [d] })

    const delays: number[] = []
    for (let n = 0; n < LATENCY_COMMITS; n++) {
      await new Promise(resolve => setTimeout(resolve, 5))
      const from = tickLines().length
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', `latency ${n}`], { cwd: repo, env: gitEnv, stdio: 'ignore' })
      const committedAt = performance.timeOrigin + performance.now()
      const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim()
      const startedAt = await waitFor(`the run of ${sha}`, () => {
        const line = readFileSync(starts, 'utf8').split('\n').find(entry => entry.startsWith(sha))
        return line ? Number(line.split(' ')[1]) : undefined
      }, { interval: 2, watch: [d] })
      delays.push(startedAt - committedAt)
      // Idle again before the next commit: its runs are recorded and settled.
      await waitFor('the daemon to settle', () => settledSince(from), { interval: 2, watch: [d] })
    }
    const sorted = [...delays].sort((a, b) => a - b)
    console.log(`jobs.isolation ${isolation}:`)
    report(`commit -> job start, ${LATENCY_COMMITS} commits, p50`, percentile(sorted, 0.5), 'ms', { max: 50 })
    report(`commit -> job start, ${LATENCY_COMMITS} commits, p99`, percentile(sorted, 0.99), 'ms', { max: 200 })
    report(`commit -> job start, ${LATENCY_COMMITS} commits, max`, sorted.at(-1)!, 'ms')
  } finally {
    await daemon?.kill()
    rmSync(repo, { recursive: true, force: true })
  }
}

/**
 * RSS of a long-running daemon idle after its start, then idle after 10,000 runs (commits fed in batches of 200).
 * "Idle" is measured the same way both times: VmRSS sampled until V8's memory reducer has collected the garbage
 * of the work before (it does so some seconds after allocation calms down), taking the lowest sample. Right after
 * a burst of work RSS is far higher, but that is mostly garbage waiting for a major GC, not memory kept: the busy
 * figure is printed too, and the job samples RSS and heap in use as it goes.
 */
async function memory(cli: string[], env: Record<string, string> = {}, isolation: 'worker' | 'none' = 'worker'): Promise<void> {
  const label = [isolation === 'none' ? 'jobs.isolation none' : '', ...Object.entries(env).map(([key, value]) => `${key}=${value}`)].filter(Boolean).join(' ')
  const repo = tempRepo()
  const samples = join(repo, '.git', 'rss.log')
  let daemon: DaemonProcess | undefined
  try {
    writeFiles(repo, {
      'gitvan.config.mjs': `export default { jobs: { isolation: '${isolation}' } }\n`,
      // The job samples the daemon's RSS and V8 heap in use (its thread's) every 1,000 runs.
      'jobs/touch.ts': [
        `import { appendFileSync } from 'node:fs'`,
        'let runs = 0',
        'export default defineJob({ on: { commit: true }, run() {',
        `  if (++runs % 1000 === 0) appendFileSync(${JSON.stringify(samples)}, runs + ' ' + process.memoryUsage().rss + ' ' + process.memoryUsage().heapUsed + '\\n')`,
        '  return { ok: true }',
        '} })',
        '',
      ].join('\n'),
    })
    importCommits(repo, 1)
    daemon = startDaemon(repo, { cli, args: ['--json'], env })
    const d = daemon
    await waitFor('the first run', () => d.runs().length === 1, { timeout: 60_000, watch: [d] })
    const idle = await settledRss(d.pid)

    for (let done = 0; done < MEMORY_RUNS; done += MEMORY_BATCH) {
      importCommits(repo, MEMORY_BATCH)
      await waitFor(`${done + MEMORY_BATCH} runs`, () => d.runs().length >= 1 + done + MEMORY_BATCH, { timeout: 120_000, interval: 10, watch: [d] })
    }
    const busy = vmRss(d.pid)
    const after = await settledRss(d.pid)
    const runs = d.runs().length - 1
    if (runs !== MEMORY_RUNS || commitsOf(repo).length !== MEMORY_RUNS + 1) throw new Error(`expected ${MEMORY_RUNS} runs, got ${runs}`)

    const sampled = readFileSync(samples, 'utf8').trim().split('\n').map(line => line.split(' ').map(Number) as [number, number, number])
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
    if (label) console.log(`with ${label}:`)
    report('daemon RSS, idle after start', idle / 1024 / 1024, 'MiB')
    report(`daemon RSS, idle after ${MEMORY_RUNS} runs`, after / 1024 / 1024, 'MiB')
    report('  growth', (after / idle - 1) * 100, '%', { max: 15 })
    report(`  RSS right after the last run (before GC)`, busy / 1024 / 1024, 'MiB')
    console.log(`  in the job, every 1,000 runs (RSS / V8 heap in use, MiB): ${sampled.map(([n, rss, heap]) => `${n / 1000}k ${mib(rss)}/${mib(heap)}`).join(', ')}`)
  } finally {
    await daemon?.kill()
    rmSync(repo, { recursive: true, force: true })
  }
}

/**
 * The lowest VmRSS of `pid` over up to `windowMs`, ending 20 s after its first drop by a sixth or more: V8's memory
 * reducer, once allocation calmed down, runs a few memory-reducing GCs some seconds apart.
 */
async function settledRss(pid: number, windowMs = 60_000): Promise<number> {
  const deadline = performance.now() + windowMs
  let high = 0
  let low = Number.POSITIVE_INFINITY
  let endAt = deadline
  while (performance.now() < endAt) {
    const rss = vmRss(pid)
    high = Math.max(high, rss)
    low = Math.min(low, rss)
    if (endAt === deadline && rss < high * (5 / 6)) endAt = Math.min(deadline, performance.now() + 20_000)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return low
}

function vmRss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(kb) * 1024
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

/** `report` for a figure that must reach `min`. */
function reportAtLeast(label: string, value: number, unit: string, min: number): void {
  console.log(`${label.padEnd(44)} ${value.toFixed(0).padStart(8)} ${unit}  target >= ${min} ${unit}: ${value >= min ? 'met' : 'MISSED'}`)
}
