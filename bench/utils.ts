import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
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

/** Wall time and peak RSS of one whole `node <cli> ...args` process. */
export function measureProcess(args: string[], cwd: string, env: Record<string, string> = {}): ProcessFigures {
  const started = performance.now()
  const result = spawnSync(process.execPath, ['--import', RSS_PROBE, ensureBuilt(), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`gitvan ${args.join(' ')} failed: ${result.stderr}`)
  const kb = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN)
  return { ms, rssMiB: kb / 1024 }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
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

/** `label  value unit  (target …)` in aligned columns. */
export function report(label: string, value: number, unit: string, target?: { max: number }): void {
  const verdict = target ? `  target < ${target.max} ${unit}: ${value < target.max ? 'met' : 'MISSED'}` : ''
  console.log(`${label.padEnd(44)} ${value.toFixed(unit === 'ms' ? 0 : 1).padStart(8)} ${unit}${verdict}`)
}

/** The built CLI as a command for `startDaemon`: `dist/`, or a fresh build in a temp dir when `src/` is newer. */
export function builtDaemonCli(): { cli: string[]; cleanup: () => void } {
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
