import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'pathe'
import { projectRoot, testEnv } from './files'

// No test-runner imports here: bench files and the screenshot script use this too.

export interface RunningUi {
  url: string
  child: ChildProcess
  stderr: () => string
  stop: () => Promise<number | null>
}

/**
 * Start `gitvan ui` (from source, or the built CLI with `cli`) on any free port (the default one with
 * `defaultPort`) as a real process, and wait for the URL it prints first; exiting before is an error.
 */
export function startUi(cwd: string, args: string[] = [], options: { env?: Record<string, string>; cli?: string; defaultPort?: boolean } = {}): Promise<RunningUi> {
  const entry = options.cli ? [options.cli] : [join(projectRoot, 'node_modules/jiti/lib/jiti-cli.mjs'), join(projectRoot, 'src/cli/bin.ts')]
  const child = spawn(process.execPath, [...entry, 'ui', ...(options.defaultPort ? [] : ['--port', '0']), ...args], { cwd, env: { ...testEnv, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', chunk => (stderr += chunk))
  const exited = new Promise<number | null>(resolve => child.on('close', resolve))
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk
      const line = stdout.split('\n')
      if (line.length > 1) resolve({ url: line[0]!, child, stderr: () => stderr, stop: () => (child.kill('SIGTERM'), exited) })
    })
    void exited.then(code => reject(new Error(`gitvan ui exited (${code}) before printing its URL: ${stderr}`)))
  })
}

/** Wait until the page's runs API (`/api/runs?query`) has at least `count` rows: receipts land in batches. */
export async function untilRows(url: string, query: string, count: number, timeout = 20_000): Promise<{ rows: any[] }> {
  const deadline = Date.now() + timeout
  for (;;) {
    const page = await (await fetch(`${url}api/runs${query}`)).json() as { rows: any[] }
    if (page.rows.length >= count) return page
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} row(s) of ${url}api/runs${query}: ${JSON.stringify(page).slice(0, 500)}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
