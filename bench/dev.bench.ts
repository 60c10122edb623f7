import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { writeFiles } from '../test/utils/files'
import { builtDaemonCli, commitAll, part, row, stats, tempRepo, vmRss } from './utils'

const CHANGES = Number(process.env.BENCH_DEV_CHANGES ?? 30)
const RELOADS = Number(process.env.BENCH_DEV_RELOADS ?? 100)

/**
 * `gitvan dev` as users run it (the built CLI, defaults): the time from a file being written to the `reload` line
 * saying its new version is active, for a job (20 and 200 jobs) and for a composable one job uses; then memory over
 * 100 reloads: RSS, and the V8 heap in use after a full GC (what is kept, not garbage waiting for a collection).
 */
export default async function benchDev(): Promise<void> {
  const { cli, cleanup } = builtDaemonCli()
  try {
    for (const jobs of [20, 200]) await part(`dev, ${jobs} jobs`, () => reloads(cli, jobs))
    await part('dev, memory', () => memory(cli))
  } finally {
    cleanup()
  }
}

async function reloads(cli: string[], jobs: number): Promise<void> {
  const repo = project(jobs)
  const dev = startDev(cli, repo)
  try {
    await dev.until('the first runs', () => dev.count('run') >= jobs)
    const job = await sample(dev, CHANGES, i => writeFileSync(join(repo, 'jobs/job0.ts'), jobSource(0, `version ${i}`)))
    const composable = await sample(dev, Math.ceil(CHANGES / 2), i => writeFileSync(join(repo, 'composables/word.ts'), `export const useWord = () => 'word ${i}'\n`))
    row(`gitvan dev, ${jobs} jobs: a job changed -> reloaded`, stats(job), 'ms')
    row(`gitvan dev, ${jobs} jobs: a composable changed -> reloaded`, stats(composable), 'ms')
  } finally {
    await dev.stop()
    rmSync(repo, { recursive: true, force: true })
  }
}

async function memory(cli: string[]): Promise<void> {
  const repo = project(200)
  const heap = join(repo, '.git', 'heap.log')
  // After each reload: a full GC, then the heap in use, so a leak shows apart from garbage.
  writeFiles(repo, { 'gitvan.config.mjs': `import { appendFileSync } from 'node:fs'\nexport default { hooks: { 'dev:reload': () => { globalThis.gc(); appendFileSync(${JSON.stringify(heap)}, process.memoryUsage().heapUsed + '\\n') } } }\n` })
  const dev = startDev(cli, repo, ['--expose-gc'])
  try {
    await dev.until('the first runs', () => dev.count('run') >= 200)
    const rss: number[] = []
    for (let i = 0; i < RELOADS; i++) {
      await sample(dev, 1, () => writeFileSync(join(repo, `jobs/job${i % 200}.ts`), jobSource(i % 200, `reload ${i}`)))
      if (i === 0 || i === 9 || i === RELOADS - 1) rss.push(vmRss(dev.child.pid!))
    }
    const used = readFileSync(heap, 'utf8').trim().split('\n').map(Number)
    const mib = (bytes: number) => bytes / 1024 / 1024
    console.log(`gitvan dev, 200 jobs, ${RELOADS} reloads: heap in use after a full GC ${mib(used[0]!).toFixed(1)} -> ${mib(used[9]!).toFixed(1)} (10th) -> ${mib(used.at(-1)!).toFixed(1)} MiB (${((used.at(-1)! / used[9]! - 1) * 100).toFixed(1)}% from the 10th)`)
    console.log(`  RSS ${mib(rss[0]!).toFixed(1)} -> ${mib(rss[1]!).toFixed(1)} (10th) -> ${mib(rss[2]!).toFixed(1)} MiB`)
  } finally {
    await dev.stop()
    rmSync(repo, { recursive: true, force: true })
  }
}

/** `jobs` commit jobs, one of them (job0) using a composable; committed, so the first tick runs each once. */
function project(jobs: number): string {
  const repo = tempRepo()
  const files: Record<string, string> = { '.gitignore': '.gitvan/\n', 'composables/word.ts': "export const useWord = () => 'word'\n" }
  for (let i = 0; i < jobs; i++) files[`jobs/job${i}.ts`] = jobSource(i, `job ${i}`)
  writeFiles(repo, files)
  commitAll(repo, 'bench project')
  return repo
}

function jobSource(i: number, desc: string): string {
  return `export default defineJob({ meta: { desc: '${desc}' }, on: { commit: true }, run: () => ({ ok: true${i === 0 ? ', meta: { word: useWord() }' : ''} }) })\n`
}

/**
 * `count` times: `change(i)`, then the time until the next `reload` line. Edits come 100 ms apart, as a person's
 * saves do (chokidar reports a file's next change only 50 ms after its last; `gitvan dev` then looks again itself).
 */
async function sample(dev: Dev, count: number, change: (i: number) => void): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    const before = dev.reloads.length
    const written = performance.now()
    change(i)
    await dev.until(`reload ${i + 1}`, () => dev.reloads.length > before)
    latencies.push(dev.reloads[before]! - written)
  }
  return latencies
}

interface Dev {
  child: ChildProcess
  reloads: number[]
  count: (type: string) => number
  until: (what: string, check: () => boolean, timeout?: number) => Promise<void>
  stop: () => Promise<void>
}

function startDev(cli: string[], repo: string, nodeArgs: string[] = []): Dev {
  const child = spawn(process.execPath, [...nodeArgs, ...cli, 'dev', '--json'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  const counts = new Map<string, number>()
  const reloads: number[] = []
  let stderr = ''
  let partial = ''
  let exited = false
  child.on('exit', () => (exited = true))
  child.stderr!.on('data', chunk => (stderr += chunk))
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop()!
    const at = performance.now()
    for (const line of lines) {
      const type = /"type":"(\w+)"/.exec(line)?.[1]
      if (!type) continue
      counts.set(type, (counts.get(type) ?? 0) + 1)
      if (type === 'reload') reloads.push(at)
    }
  })
  return {
    child,
    reloads,
    count: type => counts.get(type) ?? 0,
    // Waits on what `gitvan dev` prints, with a deadline; a dev process that ended is a failure at once.
    async until(what, check, timeout = 60_000) {
      const deadline = performance.now() + timeout
      while (!check()) {
        if (exited) throw new Error(`gitvan dev exited while waiting for ${what}: ${stderr.slice(-2000)}`)
        if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (${reloads.length} reloads so far): ${stderr.slice(-2000)}`)
        await new Promise(resolve => setTimeout(resolve, 2))
      }
    },
    async stop() {
      if (exited) return
      const done = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGINT')
      // Running jobs finish first; one that hangs does not hang the bench.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      await done
      clearTimeout(timer)
    },
  }
}
