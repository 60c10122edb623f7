import { spawn } from 'node:child_process'
import { join } from 'pathe'
import { projectRoot, testEnv } from './files'

export { projectRoot } from './files'
const jitiCli = join(projectRoot, 'node_modules/jiti/lib/jiti-cli.mjs')
const binSource = join(projectRoot, 'src/cli/bin.ts')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** The command line that runs the `gitvan` CLI from source: `[node, ...args]`. */
export const gitvanCommand = [process.execPath, jitiCli, binSource]

/** Run the real `gitvan` CLI (from source) as a child process in `cwd`; an `env` value of `undefined` unsets it. */
export function gitvan(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; timeout?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = Object.entries({ ...testEnv, NO_COLOR: '1', ...options.env }).filter((entry): entry is [string, string] => entry[1] !== undefined)
    const child = spawn(process.execPath, [jitiCli, binSource, ...args], {
      cwd: options.cwd,
      env: Object.fromEntries(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeout ?? 60_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}
