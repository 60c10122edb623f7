import { stat } from 'node:fs/promises'
import type { CliExecSpec, ExecResult } from '../types/exec'
import { resolveInside } from '../utils/paths'
import { type ProcessOutcome, runProcess } from './process'
import { describeValue } from '../utils/describe'
import { errorLine, lastLines } from '../utils/messages'
import { arrayOf, every, is, keyPath, object, optional, recordOf } from '../utils/rules'
import { failure } from './result'

/** Bytes kept of stdout and of stderr unless the caller says otherwise. */
export const DEFAULT_MAX_OUTPUT = 1024 * 1024

export interface RunCliOptions {
  /** Repository root: `spec.cwd` is resolved against it and must stay inside. */
  root: string
  /** The child's base environment (already allowlisted by the caller); `spec.env` is laid over it. */
  env: Record<string, string>
  /** Aborting (shutdown) kills the command's process group. */
  signal?: AbortSignal
  /** Bytes kept of stdout and of stderr (default 1 MiB); the rest is dropped and flagged in `meta.truncated`. */
  maxOutput?: number
  /** Told of every chunk of output as it arrives, before any cap (the run's log). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void
}

/**
 * Run a command without a shell (or through `/bin/sh -c` when `spec.shell`), confined to the root, with
 * exactly the given environment. Failures of any kind come back as `ok: false` results; it never rejects.
 */
export async function runCli(spec: CliExecSpec, options: RunCliOptions): Promise<ExecResult> {
  try {
    const problem = specProblem(spec)
    if (problem) return failure(problem)
    const cwd = resolveInside(options.root, spec.cwd ?? '.', 'cwd')
    if (!(await isDirectory(cwd))) {
      return failure(`cwd "${spec.cwd ?? '.'}" of ${label(spec.cmd)} is not a directory in ${options.root}: create it or fix the step's cwd`)
    }
    const args = spec.args ?? []
    const [file, argv] = spec.shell ? ['/bin/sh', ['-c', spec.cmd, 'sh', ...args]] : [spec.cmd, args]
    const outcome = await runProcess(file, argv, {
      cwd,
      env: { ...options.env, ...spec.env },
      timeout: spec.timeout,
      signal: options.signal,
      maxOutput: options.maxOutput ?? DEFAULT_MAX_OUTPUT,
      onOutput: options.onOutput,
    })
    return toResult(spec, outcome)
  } catch (error) {
    // resolveInside's PathEscapeError (or an unreadable root) is already a one-line reason.
    return failure(error)
  }
}

const got = (value: unknown) => `got ${describeValue(value)}`
const isString = (value: unknown): value is string => typeof value === 'string'
const withoutNul = is(value => !value.includes('\0'), 'contains a NUL byte: remove it')

/** Each key's words follow its name in the message: `"args" of "ls" must be an array of strings, got ...`. */
const cliStepRule = object({
  cmd: every(is(value => isString(value) && value !== '', value => `is missing "cmd": set it to the command to run, ${got(value)}`), withoutNul),
  args: optional(arrayOf(
    every(is(isString, value => `must be a string, ${got(value)}: quote it`), withoutNul),
    value => `must be an array of strings, ${got(value)}: split it like ["-l", "src"]`,
  )),
  env: optional(recordOf(
    every(is(isString, value => `must be a string, ${got(value)}: quote it like "${String(value)}"`), withoutNul),
    value => `must be an object of strings, ${got(value)}: use { NAME: "value" }`,
  )),
  timeout: optional(is(value => typeof value === 'number' && value > 0 && Number.isFinite(value), value => `must be a positive number of milliseconds, ${got(value)}`)),
  shell: optional(is(value => typeof value === 'boolean', value => `must be true or false, ${got(value)}`)),
}, { expected: value => `must be an object like { exec: 'cli', cmd: 'echo' }, ${got(value)}` })

/** The first thing wrong with a spec that may come from untyped job code, or undefined. */
function specProblem(spec: CliExecSpec): string | undefined {
  const problem = cliStepRule(spec)
  if (!problem) return undefined
  const [key] = problem.keys
  // Until there is a command, the step has no name to put in messages.
  if (key === undefined || !(isString(spec.cmd) && spec.cmd !== '')) return `cli step ${problem.message}`
  const name = label(spec.cmd)
  if (key === 'cmd') return `cmd ${name} ${problem.message}`
  return `${problem.keys.length > 1 ? keyPath(problem.keys) : `"${key}"`} of ${name} ${problem.message}`
}

function toResult(spec: CliExecSpec, outcome: ProcessOutcome): ExecResult {
  const { stdout, stderr, exitCode, signal, durationMs } = outcome
  const meta = {
    ...(Object.keys(outcome.truncated).length > 0 && { truncated: outcome.truncated }),
    ...(signal && { signal }),
  }
  const error = failureReason(spec, outcome)
  return {
    ok: !error,
    stdout,
    stderr,
    ...(exitCode !== null && { exitCode }),
    durationMs,
    ...(error && { error }),
    ...(Object.keys(meta).length > 0 && { meta }),
  }
}

/** Why the command failed, in one line; an exit code or a signal is followed by the last lines of stderr. */
function failureReason(spec: CliExecSpec, { startError, stopped, signal, exitCode, stderrTail }: ProcessOutcome): string | undefined {
  const name = label(spec.cmd)
  const said = lastLines(stderrTail)
  const tail = said ? `: ${said}` : ''
  if (startError?.code === 'ENOENT') return `cmd ${name} not found (ENOENT): check the name or PATH in the job's env`
  if (startError?.code === 'EACCES') return `cmd ${name} is not executable (EACCES): check its permissions (chmod +x)`
  if (startError) return `cmd ${name} could not start: ${startError.message}`
  if (stopped?.by === 'timeout') return `${name} timed out after ${spec.timeout} ms (process group killed)`
  if (stopped?.by === 'abort') return `${name} aborted: ${errorLine(stopped.reason)}`
  if (signal) return `${name} was killed by ${signal}${tail}`
  if (exitCode !== 0) return `${name} exited with code ${exitCode}${tail}`
  return undefined
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false
}

/** The command quoted for messages: first line only and short, since shell scripts can be long. */
function label(cmd: string): string {
  const line = cmd.split('\n')[0]!
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line + (line === cmd ? '' : ' …'))
}
