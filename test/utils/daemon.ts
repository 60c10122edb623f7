import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'pathe'
import { projectRoot } from './cli'
import { sh, testEnv } from './repo'

export interface RunningDaemon {
  /** Parsed `--json` lines so far. */
  events: Record<string, any>[]
  stderr: () => string
  /** Everything printed so far, stdout then stderr (text mode). */
  output: () => string
  /** Wait until `predicate` holds over the events (polling), or fail after `timeout` ms. */
  until: (predicate: (events: Record<string, any>[]) => boolean, timeout?: number) => Promise<void>
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>
  child: ChildProcess
}

/**
 * Start `gitvan daemon --json` (or `gitvan dev --json`) from source in `cwd` as a real process. `text: true` starts
 * it without `--json`, with consola's info lines on (they are off under test).
 */
export function startDaemon(cwd: string, args: string[] = [], command: 'daemon' | 'dev' = 'daemon', options: { text?: boolean } = {}): RunningDaemon {
  const child = spawn(process.execPath, [join(projectRoot, 'node_modules/jiti/lib/jiti-cli.mjs'), join(projectRoot, 'src/cli/bin.ts'), command, ...(options.text ? [] : ['--json']), ...args], {
    cwd,
    env: { ...testEnv, NO_COLOR: '1', ...(options.text ? { NODE_ENV: '', TEST: '' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const events: Record<string, any>[] = []
  let buffer = ''
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => {
    stdout += chunk
    buffer += chunk
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line))
  })
  child.stderr!.on('data', chunk => (stderr += chunk))
  const exited = new Promise<number | null>(resolve => child.on('close', resolve))
  return {
    events,
    child,
    stderr: () => stderr,
    output: () => stdout + stderr,
    async until(predicate, timeout = 20_000) {
      const deadline = Date.now() + timeout
      while (!predicate(events)) {
        if (child.exitCode !== null) throw new Error(`daemon exited (${child.exitCode}) while waiting: ${stderr}`)
        if (Date.now() > deadline) throw new Error(`timed out waiting for the daemon; events: ${JSON.stringify(events).slice(0, 2000)}; stderr: ${stderr}`)
        await sleep(50)
      }
    },
    async stop() {
      child.kill('SIGTERM')
      return exited
    },
  }
}

/** Every receipt on the receipts ref, as parsed JSON. */
export function allReceipts(repo: string): Record<string, any>[] {
  const list = sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'list')
  if (!list) return []
  return list.split('\n').flatMap((line) => {
    const object = line.split(' ')[1]!
    return sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'show', object).split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l)]
      } catch {
        return []
      }
    })
  })
}

/** `job@shortsha` for each successful receipt, sorted: easy to compare with an expected list. */
export function okRuns(repo: string): string[] {
  return allReceipts(repo).filter(r => r.ok).map(r => `${r.job}@${r.sha.slice(0, 7)}`).sort()
}

export const short = (repo: string, rev: string) => sh(repo, 'rev-parse', '--short=7', rev)
