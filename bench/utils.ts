import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { join } from 'pathe'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const builtCli = join(root, 'dist/cli/bin.mjs')

/** The built CLI (what users run); builds once if `dist/` is missing. */
export function ensureBuilt(): string {
  if (!existsSync(builtCli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' })
  return builtCli
}

// Prints the process's peak RSS on exit, so one run gives wall time and memory without external tools.
const RSS_PROBE = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss='+process.resourceUsage().maxRSS+'\\n'))`

export interface ProcessFigures {
  ms: number
  rssMiB: number
}

/** Wall time and peak RSS of one whole `node <cli> ...args` process (the built CLI unless `cli` is given). */
export function measureProcess(args: string[], cwd: string, env: Record<string, string> = {}, cli = ensureBuilt()): ProcessFigures {
  const started = performance.now()
  const result = spawnSync(process.execPath, ['--import', RSS_PROBE, cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`gitvan ${args.join(' ')} failed: ${result.stderr}`)
  const kb = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN)
  return { ms, rssMiB: kb / 1024 }
}

/** Wall time of one process, which must succeed. */
export function timeProcess(command: string, args: string[], cwd: string, env: Record<string, string> = {}): number {
  const started = performance.now()
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`)
  return ms
}

/**
 * Wall time and peak RSS (of the largest process, as GNU time reports it) of `sh -c script`; the RSS is NaN where
 * /usr/bin/time is missing.
 */
export function measureShell(script: string, cwd: string): ProcessFigures {
  const time = existsSync('/usr/bin/time')
  const started = performance.now()
  const result = spawnSync(time ? '/usr/bin/time' : 'sh', time ? ['-f', 'maxrss=%M', 'sh', '-c', script] : ['-c', script], { cwd, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`${script.slice(0, 80)} failed (${result.status ?? result.signal}): ${result.stderr}`)
  return { ms, rssMiB: Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN) / 1024 }
}

export function median(values: number[]): number {
  return quantile(values, 0.5)
}

/** The `p` quantile (nearest rank) of `values`. */
export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

/** A figure from samples: their median, with p10..p90 (or min..max under 10 samples) as its spread. */
export interface Stats {
  median: number
  low: number
  high: number
  n: number
}

export function stats(values: number[]): Stats {
  const few = values.length < 10
  return { median: median(values), low: few ? Math.min(...values) : quantile(values, 0.1), high: few ? Math.max(...values) : quantile(values, 0.9), n: values.length }
}

/** `123 ms (p10..p90 100..150, n=15)`, the spread named after what it is. */
export function formatStats(figure: Stats, unit: string): string {
  const digits = unit === 'ms' || unit === 'commits/s' ? 0 : 1
  const spread = figure.n >= 10 ? 'p10..p90' : 'min..max'
  return `${figure.median.toFixed(digits)} ${unit} (${spread} ${figure.low.toFixed(digits)}..${figure.high.toFixed(digits)}, n=${figure.n})`
}

export interface Anchor {
  name: string
  figure: Stats
  /** The ratio GitVan should stay within, if there is a target. */
  target?: number
}

/**
 * One row: GitVan's figure with its spread, then each anchor measured in the same run and GitVan's ratio to it
 * (medians), with the target's verdict where there is one.
 */
export function row(label: string, figure: Stats, unit: string, anchors: Anchor[] = []): void {
  console.log(`${label.padEnd(48)} ${formatStats(figure, unit)}`)
  for (const anchor of anchors) {
    const ratio = figure.median / anchor.figure.median
    const verdict = anchor.target === undefined ? '' : `  target x${anchor.target}: ${ratio <= anchor.target ? 'met' : 'MISSED'}`
    console.log(`${`  vs ${anchor.name}`.padEnd(48)} ${formatStats(anchor.figure, unit)}  -> x${ratio.toFixed(2)}${verdict}`)
  }
}

/** `label  value unit  (target …)` in aligned columns. */
export function report(label: string, value: number, unit: string, target?: { max: number }): void {
  const verdict = target ? `  target < ${target.max} ${unit}: ${value < target.max ? 'met' : 'MISSED'}` : ''
  console.log(`${label.padEnd(48)} ${value.toFixed(unit === 'ms' ? 0 : 1).padStart(8)} ${unit}${verdict}`)
}

/**
 * Take `rounds` samples of each task, interleaved (one of each per round, in turn), so that the load of a shared
 * machine weighs on all of them alike. Returns the samples by task.
 */
export function interleave(rounds: number, tasks: Record<string, () => number>): Record<string, number[]> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map(name => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const [name, task] of Object.entries(tasks)) samples[name]!.push(task())
  }
  return samples
}

/** Run one part of a bench; a failure is printed and the next part still runs. Returns whether it passed. */
export async function part(name: string, run: () => Promise<void>): Promise<boolean> {
  try {
    await run()
    return true
  } catch (error) {
    console.log(`${name}: FAILED: ${(error as Error).stack ?? error}`)
    process.exitCode = 1
    return false
  }
}

/** lefthook's binary from node_modules (a devDependency: its platform package brings it), or undefined. */
export function lefthookBin(): string | undefined {
  const bin = join(root, 'node_modules/.bin/lefthook')
  return existsSync(bin) ? bin : undefined
}

export function tempRepo(prefix = 'gitvan-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir })
  return dir
}

export function commitAll(dir: string, message: string): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@x' }
  execFileSync('git', ['add', '-A'], { cwd: dir, env })
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: dir, env })
}

/** Bytes under `dir` (files only, as `du -sb` counts them). */
export function sizeOf(dir: string): number {
  let bytes = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size
  }
  return bytes
}

/** VmRSS of a live process, in bytes. */
export function vmRss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(kb) * 1024
}

/** CPU time (user + system) a live process used so far, in ms. */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

/**
 * The built CLI as a command for `startDaemon`, reflecting the current source (or `BENCH_CLI`): `dist/` when it is
 * newer than every file under `src/`, else a private build of the source in a temporary package (so a stale `dist/` neither misleads
 * the figures nor gets replaced under other users' feet). The private package links this one's node_modules.
 */
export function builtDaemonCli(): { cli: string[]; cleanup: () => void } {
  // Another build to measure (a before/after comparison): `BENCH_CLI=/path/to/dist/cli/bin.mjs npm run bench`.
  if (process.env.BENCH_CLI) return { cli: [process.env.BENCH_CLI], cleanup: () => {} }
  ensureBuilt()
  const built = statSync(builtCli).mtimeMs
  if (newestUnder(join(root, 'src')) < built) return { cli: [builtCli], cleanup: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'gitvan-bench-build-'))
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  const script = `import { build } from 'unbuild'; await build(${JSON.stringify(root)}, false, { outDir: ${JSON.stringify(join(dir, 'dist'))}, declaration: false, failOnWarn: false })`
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', stdio: 'pipe' })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`building the CLI into ${dir} failed: ${(error as { stderr?: string }).stderr ?? error}`)
  }
  console.log(`(dist/ is older than src/: measuring a fresh build in ${dir})`)
  return { cli: [join(dir, 'dist/cli/bin.mjs')], cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

function newestUnder(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs)
  }
  return newest
}
