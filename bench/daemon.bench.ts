import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'pathe'
import { type DaemonProcess, startDaemon, waitFor } from '../test/daemon/fixtures/daemon'
import { commitsOf, gitEnv, importCommits, readAllReceipts, writeFiles } from '../test/daemon/fixtures/repo'
import { type Stats, builtDaemonCli, cpuMs, lefthookBin, measureShell, part, quantile, report, row, sizeOf, stats, tempRepo, vmRss } from './utils'

/** `BENCH_LARGE=1`: the 50,000-commit backlogs too, and 100,000 runs for memory (long: tens of minutes). */
const LARGE = Boolean(process.env.BENCH_LARGE)
const LATENCY_COMMITS = Number(process.env.BENCH_LATENCY_COMMITS ?? 100)
const BURSTS = 5
const BACKLOGS = LARGE ? [1000, 5000, 10_000, 50_000] : [1000, 5000, 10_000]
const REFS = 5000
const MEMORY_RUNS = LARGE ? 100_000 : 10_000
const MEMORY_BATCH = 200

/**
 * The daemon as users run it (the built CLI, default config), each figure beside an anchor measured in the same run:
 * commit -> job start in an idle daemon (and after a burst) against lefthook's post-commit hook; `--once` backlogs
 * against a floor that does the least any tool must (read the commits, write every note with one fast-import); a
 * repository with 5,000 branches and 5,000 tags against the same without them; memory over many runs. A part that
 * fails is reported and the next one runs. `npm run bench daemon <part>` runs the parts whose name contains it.
 */
export default async function benchDaemon(): Promise<void> {
  const only = process.argv[3]
  const parts: [string, (cli: string[]) => Promise<void>][] = [
    ['latency', latency],
    ['burst', burst],
    ['backlog', backlogs],
    ['refs', refs],
    ['memory', cli => memory(cli)],
    // Job code in the daemon's thread: what the job workers add.
    ['memory-none', cli => memory(cli, {}, 'none')],
    // The same with glibc's malloc told to keep fewer arenas and give freed memory back: what is left is the daemon's.
    ['memory', cli => memory(cli, { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '65536' })],
  ]
  const { cli, cleanup } = builtDaemonCli()
  try {
    for (const [name, run] of parts) if (!only || name.includes(only)) await part(`daemon ${name}`, () => run(cli))
  } finally {
    cleanup()
  }
}

/**
 * A project whose job `stamp` writes `<sha> <epoch ms>` to `.git/starts.log` as it starts, and whose config (nothing
 * but a hook: the defaults otherwise) writes how many runs each tick queued to `.git/ticks.log`: what the daemon
 * signals, for the bench to wait on.
 */
function stampProject(repo: string, extra: Record<string, string> = {}): { starts: string; ticks: string } {
  const starts = join(repo, '.git', 'starts.log')
  const ticks = join(repo, '.git', 'ticks.log')
  writeFiles(repo, {
    'gitvan.config.mjs': `import { appendFileSync } from 'node:fs'\nexport default { hooks: { 'daemon:tick': info => appendFileSync(${JSON.stringify(ticks)}, info.queued + '\\n') } }\n`,
    'jobs/stamp.ts': `import { appendFileSync } from 'node:fs'\nexport default defineJob({ on: { commit: true }, run({ ctx }) { appendFileSync(${JSON.stringify(starts)}, ctx.head + ' ' + (performance.timeOrigin + performance.now()) + '\\n') } })\n`,
    ...extra,
  })
  return { starts, ticks }
}

/** What a stamp project's daemon signalled, read as it goes (files that do not exist yet read as empty). */
function signals(files: { starts: string; ticks: string }) {
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
  const ticks = () => lines(files.ticks).map(Number)
  return {
    ticks,
    /** When the run for `sha` started (epoch ms), once it did. */
    startOf: (sha: string) => {
      const line = lines(files.starts).find(entry => entry.startsWith(sha))
      return line ? Number(line.split(' ')[1]) : undefined
    },
    /** Idle again: a tick since line `from` dispatched runs, and a later one queued nothing (their end was settled). */
    settledSince: (from: number) => {
      const since = ticks().slice(from)
      const dispatched = since.findIndex(queued => queued > 0)
      return dispatched !== -1 && since.slice(dispatched + 1).includes(0)
    },
  }
}

const now = () => performance.timeOrigin + performance.now()

function commit(repo: string, message: string): { invoked: number; returned: number; sha: string } {
  const invoked = now()
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: repo, env: gitEnv, stdio: 'ignore' })
  const returned = now()
  return { invoked, returned, sha: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim() }
}

interface CommitDelays {
  /** Job start after `git commit` returned. */
  afterReturn: number[]
  /** Job start after `git commit` was invoked. */
  afterInvoked: number[]
}

/** A commit into an idle daemon's repository: when its job started, after `git commit` returned and was invoked. */
function gitvanCommits(repo: string, daemon: DaemonProcess, files: { starts: string; ticks: string }): CommitDelays & { step: (n: number) => Promise<void> } {
  const signal = signals(files)
  const delays: CommitDelays = { afterReturn: [], afterInvoked: [] }
  return {
    ...delays,
    async step(n) {
      const from = signal.ticks().length
      const made = commit(repo, `latency ${n}`)
      const started = await waitFor(`the run of commit ${n}`, () => signal.startOf(made.sha), { interval: 2, timeout: 60_000, watch: [daemon] })
      delays.afterReturn.push(started - made.returned)
      delays.afterInvoked.push(started - made.invoked)
      await waitFor('the daemon to be idle again', () => signal.settledSince(from), { interval: 2, timeout: 60_000, watch: [daemon] })
    },
  }
}

async function commitToStart(repo: string, daemon: DaemonProcess, files: { starts: string; ticks: string }, count: number): Promise<CommitDelays> {
  const commits = gitvanCommits(repo, daemon, files)
  for (let n = 0; n < count; n++) await commits.step(n)
  return commits
}

/** A daemon started in a stamp project, once its first run is done and it is idle. */
async function idleDaemon(cli: string[], repo: string, files: { starts: string; ticks: string }, env: Record<string, string> = {}): Promise<DaemonProcess> {
  const daemon = startDaemon(repo, { cli, args: ['--json'], env })
  await waitFor('the first run', () => daemon.runs().length >= 1, { timeout: 120_000, watch: [daemon] })
  await waitFor('the daemon to be idle', () => signals(files).settledSince(0), { timeout: 60_000, watch: [daemon] })
  return daemon
}

/** lefthook's post-commit hook running one command that notes when it started: the same measure for a peer. */
function lefthookCommits(repo: string, lefthook: string): CommitDelays & { step: (n: number) => void } {
  const starts = join(repo, '.git', 'starts.log')
  writeFiles(repo, { 'lefthook.yml': `post-commit:\n  jobs:\n    - run: date +%s%N >> ${starts}\n` })
  execFileSync(lefthook, ['install'], { cwd: repo, env: gitEnv, stdio: 'ignore' })
  const delays: CommitDelays = { afterReturn: [], afterInvoked: [] }
  return {
    ...delays,
    step(n) {
      const made = commit(repo, `latency ${n}`)
      const started = Number(readFileSync(starts, 'utf8').trim().split('\n').at(-1)) / 1e6
      delays.afterReturn.push(started - made.returned)
      delays.afterInvoked.push(started - made.invoked)
    },
  }
}

/** An idle long-running daemon, defaults: commit -> its job started, against lefthook's post-commit (commits alternate). */
async function latency(cli: string[]): Promise<void> {
  const repo = tempRepo()
  const peerRepo = tempRepo()
  const files = stampProject(repo)
  importCommits(repo, 1)
  const daemon = await idleDaemon(cli, repo, files)
  try {
    const lefthook = lefthookBin()
    const gitvan = gitvanCommits(repo, daemon, files)
    const peer = lefthook ? lefthookCommits(peerRepo, lefthook) : undefined
    for (let n = 0; n < LATENCY_COMMITS; n++) {
      await gitvan.step(n)
      peer?.step(n)
    }
    row(`commit -> job start, after \`git commit\` returned (${LATENCY_COMMITS} commits, idle daemon)`, stats(gitvan.afterReturn), 'ms')
    report('  p99', quantile(gitvan.afterReturn, 0.99), 'ms')
    row('`git commit` invoked -> job start', stats(gitvan.afterInvoked), 'ms', peer ? [{ name: 'lefthook post-commit (runs inside `git commit`)', figure: stats(peer.afterInvoked) }] : [])
    report('  p99', quantile(gitvan.afterInvoked, 0.99), 'ms')
    if (peer) report('  lefthook p99', quantile(peer.afterInvoked, 0.99), 'ms')
  } finally {
    await daemon.kill()
    rmSync(repo, { recursive: true, force: true })
    rmSync(peerRepo, { recursive: true, force: true })
  }
}

/** 10 commits back to back into an idle daemon: the last one's job start after its `git commit` returned. */
async function burst(cli: string[]): Promise<void> {
  const repo = tempRepo()
  const files = stampProject(repo)
  importCommits(repo, 1)
  const daemon = await idleDaemon(cli, repo, files)
  const signal = signals(files)
  try {
    const delays: number[] = []
    for (let round = 0; round < BURSTS; round++) {
      const from = signal.ticks().length
      const made = Array.from({ length: 10 }, (_, n) => commit(repo, `burst ${round}.${n}`))
      const last = made.at(-1)!
      delays.push(await waitFor('the run of the last commit', () => signal.startOf(last.sha), { interval: 2, timeout: 60_000, watch: [daemon] }) - last.returned)
      await waitFor('every run of the burst', () => made.every(one => signal.startOf(one.sha) !== undefined), { timeout: 60_000, watch: [daemon] })
      await waitFor('the daemon to be idle again', () => signal.settledSince(from), { timeout: 60_000, watch: [daemon] })
    }
    row(`burst of 10 commits: the last one's job start after it (${BURSTS} bursts)`, stats(delays), 'ms')
  } finally {
    await daemon.kill()
    rmSync(repo, { recursive: true, force: true })
  }
}

interface BacklogFigures {
  ms: number
  rssMiB: number
  /** Bytes the run added to `.git`. */
  added: number
}

/**
 * `daemon --once` over backlogs of new commits with 1 and 5 jobs (each matching every commit), against the floor on a
 * copy of the same repository: `git log` of the range, then every receipt note written by one `git fast-import`
 * (notes as large as GitVan's). Wall time, peak RSS of the largest process, and what each adds to `.git`.
 */
async function backlogs(cli: string[]): Promise<void> {
  if (!LARGE) console.log('(50,000-commit backlogs: BENCH_LARGE=1 npm run bench daemon backlog)')
  for (const jobs of [1, 5]) {
    const figures = new Map<number, { gitvan: BacklogFigures; floor: BacklogFigures }>()
    for (const size of BACKLOGS) {
      const result = backlog(cli, size, jobs)
      figures.set(size, result)
      const { gitvan, floor } = result
      console.log(`daemon --once, ${size} commits, ${jobs} job(s): ${(gitvan.ms / 1000).toFixed(2)} s (${Math.round(size / (gitvan.ms / 1000))} commits/s), peak RSS ${gitvan.rssMiB.toFixed(0)} MiB, .git +${(gitvan.added / 1024 / 1024).toFixed(1)} MiB`)
      console.log(`  floor (git log + one fast-import of the notes): ${(floor.ms / 1000).toFixed(2)} s -> x${(gitvan.ms / floor.ms).toFixed(1)}; peak RSS ${floor.rssMiB.toFixed(0)} MiB -> x${(gitvan.rssMiB / floor.rssMiB).toFixed(1)}; .git +${(floor.added / 1024 / 1024).toFixed(1)} MiB -> x${(gitvan.added / floor.added).toFixed(1)}`)
      if (size === 5000 && jobs === 1) {
        // What job workers cost: the same backlog with job code in the daemon's thread.
        const { gitvan: inThread } = backlog(cli, size, jobs, 'none')
        console.log(`  jobs.isolation none: ${(inThread.ms / 1000).toFixed(2)} s (${Math.round(size / (inThread.ms / 1000))} commits/s) -> workers x${(gitvan.ms / inThread.ms).toFixed(2)}; peak RSS ${inThread.rssMiB.toFixed(0)} MiB`)
      }
    }
    const [from, to] = LARGE ? [5000, 50_000] : [BACKLOGS[0]!, BACKLOGS.at(-1)!]
    const [a, b] = [figures.get(from)!, figures.get(to)!]
    console.log(`  growth ${from} -> ${to} commits (x${to / from}), ${jobs} job(s): time x${(b.gitvan.ms / a.gitvan.ms).toFixed(1)} (floor x${(b.floor.ms / a.floor.ms).toFixed(1)}), peak RSS x${(b.gitvan.rssMiB / a.gitvan.rssMiB).toFixed(2)} (floor x${(b.floor.rssMiB / a.floor.rssMiB).toFixed(2)})`)
  }
}

function backlog(cli: string[], size: number, jobs: number, isolation?: 'none'): { gitvan: BacklogFigures; floor: BacklogFigures } {
  const repo = tempRepo()
  const floorRepo = `${repo}-floor`
  try {
    writeFiles(repo, {
      ...Object.fromEntries(Array.from({ length: jobs }, (_, i) => [`jobs/job${i}.ts`, 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n'])),
      ...(isolation ? { 'gitvan.config.mjs': `export default { jobs: { isolation: '${isolation}' } }\n` } : {}),
    })
    const shas = importCommits(repo, size)
    execFileSync('cp', ['-a', repo, floorRepo])
    const before = sizeOf(join(repo, '.git'))

    // stdout is not kept: a line per run would be most of what is measured.
    const started = performance.now()
    const run = spawnSync(process.execPath, ['--import', `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss='+process.resourceUsage().maxRSS+'\\n'))`, ...cli, 'daemon', '--once', '--lookback', String(size + 10)], { cwd: repo, env: gitEnv, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    const ms = performance.now() - started
    if (run.status !== 0) throw new Error(`daemon --once failed (${run.status ?? run.signal}): ${run.stderr.slice(-2000)}`)
    const receipts = readAllReceipts(repo)
    if (receipts.length !== size * jobs) throw new Error(`expected ${size * jobs} receipts, found ${receipts.length}`)
    const gitvan = { ms, rssMiB: Number(/maxrss=(\d+)/.exec(run.stderr)?.[1]) / 1024, added: sizeOf(join(repo, '.git')) - before }

    // A note per commit holding one receipt per job, of the size GitVan's receipts are.
    const line = JSON.stringify(receipts[0]).replace(/"on":"\w+",?/, '')
    const stream = join(repo, '.git', 'floor.stream')
    const notes = shas.map(sha => `N inline ${sha}\ndata ${Buffer.byteLength(line) * jobs + jobs}\n${`${line}\n`.repeat(jobs)}\n`).join('')
    const header = `commit refs/notes/gitvan/results\ncommitter Bench <b@x> 1700000000 +0000\ndata 6\nfloor\n`
    // Written out of the timed part: any tool makes its notes in memory, without writing them to a file first.
    spawnSync('sh', ['-c', `cat > ${stream}`], { input: header + notes })
    const log = measureShell('git log --format=%H main > /dev/null', floorRepo)
    const write = measureShell(`git fast-import --quiet < ${stream}`, floorRepo)
    const floor = { ms: log.ms + write.ms, rssMiB: Math.max(log.rssMiB, write.rssMiB), added: sizeOf(join(floorRepo, '.git')) - before }
    return { gitvan, floor }
  } finally {
    rmSync(repo, { recursive: true, force: true })
    rmSync(floorRepo, { recursive: true, force: true })
  }
}

/**
 * 5,000 branches and 5,000 tags (packed, as after a clone or gc) against the same repository without them: the
 * daemon's first start, its CPU while idle, and commit -> job start.
 */
async function refs(cli: string[]): Promise<void> {
  const figures: Record<'plain' | 'refs', { start: Stats; idleCpu: number; latency: Stats }> = {} as never
  for (const variant of ['plain', 'refs'] as const) {
    const repo = tempRepo()
    try {
      const files = stampProject(repo)
      const shas = importCommits(repo, 100)
      if (variant === 'refs') {
        const lines = Array.from({ length: REFS }, (_, i) => `create refs/heads/branch-${i} ${shas[i % shas.length]}\ncreate refs/tags/tag-${i} ${shas[(i * 7) % shas.length]}\n`).join('')
        execFileSync('git', ['update-ref', '--stdin'], { cwd: repo, env: gitEnv, input: lines })
        execFileSync('git', ['pack-refs', '--all'], { cwd: repo, env: gitEnv })
      }
      const starts: number[] = []
      for (let n = 0; n < 3; n++) {
        const daemon = startDaemon(repo, { cli, args: ['--json'] })
        await waitFor('the start line', () => daemon.lines.some(line => line.type === 'start'), { timeout: 120_000, watch: [daemon] })
        // Arrivals count from the spawn.
        starts.push(daemon.arrivals[daemon.lines.findIndex(line => line.type === 'start')]!)
        await daemon.kill()
      }
      const daemon = await idleDaemon(cli, repo, files)
      try {
        // Idle: no commit, only what the daemon does by itself (polls, watching, lease renewals) over 10 s.
        const before = cpuMs(daemon.pid)
        await new Promise(resolve => setTimeout(resolve, 10_000))
        const idleCpu = (cpuMs(daemon.pid) - before) / 10
        const latency = await commitToStart(repo, daemon, files, 20)
        figures[variant] = { start: stats(starts), idleCpu, latency: stats(latency.afterReturn) }
      } finally {
        await daemon.kill()
      }
    } finally {
      rmSync(repo, { recursive: true, force: true })
    }
  }
  const { plain, refs: many } = figures
  row(`first start (spawn -> start line), ${REFS} branches + ${REFS} tags`, many.start, 'ms', [{ name: 'without them', figure: plain.start }])
  console.log(`${'idle CPU'.padEnd(48)} ${many.idleCpu.toFixed(1)} ms/s  vs without them ${plain.idleCpu.toFixed(1)} ms/s`)
  row('commit -> job start, after `git commit` returned', many.latency, 'ms', [{ name: 'without them', figure: plain.latency }])
}

/**
 * RSS of a long-running daemon idle after its start, then idle after 10,000 runs (100,000 with BENCH_LARGE; commits
 * fed in batches of 200). "Idle" is measured the same way both times: VmRSS sampled until V8's memory reducer has
 * collected the garbage of the work before, taking the lowest sample. Right after a burst of work RSS is far higher,
 * but that is mostly garbage waiting for a major GC, not memory kept: the busy figure is printed too, and the job
 * samples RSS and heap in use as it goes.
 */
async function memory(cli: string[], env: Record<string, string> = {}, isolation?: 'none'): Promise<void> {
  const settings = [...(isolation ? [`jobs.isolation ${isolation}`] : []), ...Object.entries(env).map(([key, value]) => `${key}=${value}`)]
  const label = settings.length > 0 ? ` (${settings.join(' ')})` : ''
  const repo = tempRepo()
  const samples = join(repo, '.git', 'rss.log')
  const every = MEMORY_RUNS / 10
  let daemon: DaemonProcess | undefined
  try {
    writeFiles(repo, {
      ...(isolation ? { 'gitvan.config.mjs': `export default { jobs: { isolation: '${isolation}' } }\n` } : {}),
      // The job samples the daemon's RSS and V8 heap in use (of its thread) every tenth of the runs.
      'jobs/touch.ts': [
        `import { appendFileSync } from 'node:fs'`,
        'let runs = 0',
        'export default defineJob({ on: { commit: true }, run() {',
        `  if (++runs % ${every} === 0) appendFileSync(${JSON.stringify(samples)}, runs + ' ' + process.memoryUsage().rss + ' ' + process.memoryUsage().heapUsed + '\\n')`,
        '  return { ok: true }',
        '} })',
        '',
      ].join('\n'),
    })
    importCommits(repo, 1)
    daemon = startDaemon(repo, { cli, args: ['--json'], env })
    const d = daemon
    await waitFor('the first run', () => d.runs().length === 1, { timeout: 120_000, watch: [d] })
    const idle = await settledRss(d.pid)

    for (let done = 0; done < MEMORY_RUNS; done += MEMORY_BATCH) {
      importCommits(repo, MEMORY_BATCH)
      await waitFor(`${done + MEMORY_BATCH} runs`, () => d.runs().length >= 1 + done + MEMORY_BATCH, { timeout: 300_000, interval: 10, watch: [d] })
    }
    const busy = vmRss(d.pid)
    const after = await settledRss(d.pid)
    const runs = d.runs().length - 1
    if (runs !== MEMORY_RUNS || commitsOf(repo).length !== MEMORY_RUNS + 1) throw new Error(`expected ${MEMORY_RUNS} runs, got ${runs}`)

    const sampled = existsSync(samples) ? readFileSync(samples, 'utf8').trim().split('\n').map(line => line.split(' ').map(Number) as [number, number, number]) : []
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
    if (label) console.log(`with${label}:`)
    report('daemon RSS, idle after start', idle / 1024 / 1024, 'MiB')
    report(`daemon RSS, idle after ${MEMORY_RUNS} runs`, after / 1024 / 1024, 'MiB')
    report('  growth', (after / idle - 1) * 100, '%', { max: 15 })
    report(`  RSS right after the last run (before GC)`, busy / 1024 / 1024, 'MiB')
    console.log(`  in the job, every ${every} runs (RSS / V8 heap in use, MiB): ${sampled.map(([n, rss, heap]) => `${n} ${mib(rss)}/${mib(heap)}`).join(', ')}`)
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
