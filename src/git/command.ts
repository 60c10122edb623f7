import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import type { GitResult, GitRunOptions } from '../types/git'
import { GitError, gitLayerError } from './error'

/** Variables that redirect git to another repository, index or config: never inherited by accident. */
const SCRUBBED = new Set(['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_PREFIX'])

/** Flags put before every command: no `ext::` transport, no pager, no lock fights over optional index refreshes. */
export const GIT_BASE_ARGS = ['-c', 'protocol.ext.allow=never', '-c', 'core.quotePath=false', '--no-pager'] as const

export function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (SCRUBBED.has(key) || key.startsWith('GIT_CONFIG')) continue
    env[key] = value
  }
  env.GIT_OPTIONAL_LOCKS = '0'
  env.GIT_TERMINAL_PROMPT = '0'
  env.LC_ALL = 'C'
  return { ...env, ...extra }
}

/**
 * Start git with the base flags and a scrubbed environment; the caller owns the streams. Arguments are an array
 * (never a shell); one containing a NUL byte is refused, since the OS would cut it there.
 */
export function spawnGit(args: readonly string[], options: Pick<GitRunOptions, 'cwd' | 'env' | 'timeout'>): ChildProcessWithoutNullStreams {
  const bad = args.find(arg => arg.includes('\0'))
  if (bad !== undefined) {
    throw gitLayerError(options.cwd, `Invalid git argument ${JSON.stringify(bad)} in ${options.cwd}: arguments cannot contain NUL bytes, remove them`)
  }
  return spawn('git', [...GIT_BASE_ARGS, ...args], {
    cwd: options.cwd,
    env: gitEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeout,
  })
}

/** The `GitError` for a git process that could not be started. */
export function spawnError(args: readonly string[], cwd: string, error: NodeJS.ErrnoException): GitError {
  const reason = error.code === 'ENOENT' ? `git binary not found or cwd missing (${cwd})` : error.message
  return new GitError(args, null, reason, cwd)
}

/**
 * Run git with an argument array (never a shell). Resolves with stdout/stderr, rejects with a `GitError`
 * for an exit code outside `okCodes` (default `[0]`).
 */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const okCodes = options.okCodes ?? [0]
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, options)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', error => reject(spawnError(args, options.cwd, error)))
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code ?? -1 }
      if (code !== null && okCodes.includes(code)) resolve(result)
      else reject(new GitError(args, code, result.stderr, options.cwd))
    })
    // EPIPE when git exits before reading its input is reported through 'close' instead.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input)
  })
}

/** Run git and return stdout without its trailing newline. */
export async function git(args: readonly string[], options: GitRunOptions): Promise<string> {
  const { stdout } = await runGit(args, options)
  return stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout
}
