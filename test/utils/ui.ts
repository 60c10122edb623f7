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
 * Start `gitvan ui` (from source, or the built CLI with `cli`) as a real process and wait for the URL it prints
 * first; a process that exits before is an error with its stderr.
 */
export function startUi(cwd: string, args: string[] = [], options: { env?: Record<string, string>; cli?: string } = {}): Promise<RunningUi> {
  const entry = options.cli ? [options.cli] : [join(projectRoot, 'node_modules/jiti/lib/jiti-cli.mjs'), join(projectRoot, 'src/cli/bin.ts')]
  const child = spawn(process.execPath, [...entry, 'ui', '--port', '0', ...args], { cwd, env: { ...testEnv, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
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
