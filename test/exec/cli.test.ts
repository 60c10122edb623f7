import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/exec/cli'
import type { CliExecSpec } from '../../src/types/exec'
import { tempDir } from '../utils/repo'

const NODE = process.execPath
const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' }

function run(spec: Omit<CliExecSpec, 'exec'>, options: { root?: string; signal?: AbortSignal; maxOutput?: number } = {}) {
  return runCli({ exec: 'cli', ...spec }, { root: options.root ?? tempDir(), env: baseEnv, ...options })
}

/** Running means present and not a zombie (the container's init may never reap killed orphans). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

async function waitUntil(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

function readPid(root: string, file = 'grandchild.pid'): number {
  return Number(readFileSync(join(root, file), 'utf8').trim())
}

describe('runCli: running commands', () => {
  it('runs a command with an argument array and returns its output', async () => {
    const result = await run({ cmd: 'printf', args: ['%s-%s', 'a', 'b'] })
    expect(result).toMatchObject({ ok: true, stdout: 'a-b', stderr: '', exitCode: 0 })
    expect(result.error).toBeUndefined()
    expect(result.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('passes shell metacharacters in args literally, without a shell', async () => {
    const root = tempDir()
    mkdirSync(join(root, 'x'))
    const args = ['; rm -rf x', '$(touch pwned)', '`touch pwned2`', '|', '&& touch pwned3', '*', 'a\nb', '--flag']
    const result = await run({ cmd: NODE, args: ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '--', ...args] }, { root })
    expect(result.ok).toBe(true)
    expect(JSON.parse(result.stdout!)).toEqual(args)
    expect(existsSync(join(root, 'x'))).toBe(true)
    for (const file of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(root, file))).toBe(false)
  })

  it('runs through /bin/sh -c with shell: true, args becoming $1, $2', async () => {
    const result = await run({ cmd: 'printf "%s|%s" "$1" "$2" && echo " $0"', args: ['a b', '$(nope)'], shell: true })
    expect(result).toMatchObject({ ok: true, stdout: 'a b|$(nope) sh\n' })
  })

  it('closes stdin so a command waiting for input ends', async () => {
    const result = await run({ cmd: 'cat' })
    expect(result).toMatchObject({ ok: true, stdout: '', exitCode: 0 })
  })
})

describe('runCli: cwd', () => {
  it('runs in the root by default and in a relative cwd inside it', async () => {
    const root = tempDir()
    mkdirSync(join(root, 'sub/dir'), { recursive: true })
    expect((await run({ cmd: 'pwd' }, { root })).stdout).toBe(`${root}\n`)
    expect((await run({ cmd: 'pwd', cwd: 'sub/dir' }, { root })).stdout).toBe(`${root}/sub/dir\n`)
  })

  it('refuses a cwd escaping the root and runs nothing', async () => {
    const parent = tempDir()
    const root = join(parent, 'repo')
    mkdirSync(root)
    const result = await run({ cmd: 'touch', args: ['escaped'], cwd: '..' }, { root })
    expect(result.ok).toBe(false)
    expect(result.error).toMatch(/^Refusing cwd "\.\.": it escapes the repository root .*, use a path inside it$/)
    expect(existsSync(join(parent, 'escaped'))).toBe(false)
  })

  it('refuses an absolute cwd and a symlink leading out of the root', async () => {
    const root = tempDir()
    symlinkSync(tempDir(), join(root, 'out'))
    expect((await run({ cmd: 'pwd', cwd: '/tmp' }, { root })).error).toMatch(/^Refusing cwd "\/tmp": absolute paths are not allowed/)
    expect((await run({ cmd: 'pwd', cwd: 'out' }, { root })).error).toMatch(/^Refusing cwd "out": a symlink leads out of the repository root/)
  })

  it('fails clearly when the cwd does not exist or is a file', async () => {
    const root = tempDir()
    writeFileSync(join(root, 'file'), '')
    for (const cwd of ['missing', 'file']) {
      const result = await run({ cmd: 'pwd', cwd }, { root })
      expect(result).toMatchObject({ ok: false, error: `cwd "${cwd}" of "pwd" is not a directory in ${root}: create it or fix the step's cwd` })
    }
  })
})

describe('runCli: environment', () => {
  it('gives the child exactly options.env overlaid with spec.env, never the parent environment', async () => {
    process.env.GITVAN_TEST_PARENT_SECRET = 'leak'
    try {
      const result = await runCli(
        { exec: 'cli', cmd: NODE, args: ['-e', 'console.log(JSON.stringify(process.env))'], env: { B: '2', A: 'spec' } },
        { root: tempDir(), env: { A: 'base', GITVAN_JOB: 'demo' } },
      )
      expect(JSON.parse(result.stdout!)).toEqual({ A: 'spec', B: '2', GITVAN_JOB: 'demo' })
    } finally {
      delete process.env.GITVAN_TEST_PARENT_SECRET
    }
  })

  it('reports a missing command with a hint about PATH', async () => {
    const result = await run({ cmd: 'gitvan-no-such-command' })
    expect(result).toMatchObject({ ok: false, error: `cmd "gitvan-no-such-command" not found (ENOENT): check the name or PATH in the job's env` })
  })

  it('reports a command that is not executable', async () => {
    const root = tempDir()
    writeFileSync(join(root, 'script.sh'), '#!/bin/sh\necho hi\n')
    chmodSync(join(root, 'script.sh'), 0o644)
    const result = await run({ cmd: './script.sh' }, { root })
    expect(result).toMatchObject({ ok: false, error: 'cmd "./script.sh" is not executable (EACCES): check its permissions (chmod +x)' })
  })
})

describe('runCli: failures', () => {
  it('fails with the exit code and the end of stderr, and keeps stdout and stderr', async () => {
    const result = await run({ cmd: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'] })
    expect(result).toMatchObject({ ok: false, exitCode: 3, stdout: 'out\n', stderr: 'err\n', error: '"sh" exited with code 3: err' })
  })

  it('quotes the last three lines of stderr, even when stderr was cut, without terminal escapes', async () => {
    const script = 'process.stderr.write("x".repeat(3_000_000) + "\\nfirst\\n\\n\\u001B[31msecond\\u001B[39m\\nthird\\nlast\\n"); process.exitCode = 1'
    const result = await run({ cmd: NODE, args: ['-e', script] }, { maxOutput: 1024 })
    expect(result.stderr).toHaveLength(1024)
    expect(result.meta).toMatchObject({ truncated: { stderr: true } })
    expect(result.error).toBe(`${JSON.stringify(NODE)} exited with code 1: second | third | last`)
  })

  it('keeps the error line when advice follows it, as git prints it for a lock file left by a killed git', async () => {
    const root = tempDir()
    execFileSync('git', ['init', '-q'], { cwd: root })
    writeFileSync(join(root, 'a.txt'), 'a\n')
    writeFileSync(join(root, '.git/index.lock'), '')
    const result = await run({ cmd: 'git', args: ['add', 'a.txt'] }, { root })
    // git's advice after the error varies between versions; the error line is what says why.
    expect(result.error!.startsWith(`"git" exited with code 128: fatal: Unable to create '${join(root, '.git/index.lock')}': File exists. | … | `)).toBe(true)
  })

  it('passes every chunk of output to onOutput as it arrives, beyond maxOutput', async () => {
    const seen = { stdout: 0, stderr: 0 }
    const result = await runCli(
      { exec: 'cli', cmd: NODE, args: ['-e', 'process.stdout.write("o".repeat(200_000)); process.stderr.write("e".repeat(70_000))'] },
      { root: tempDir(), env: baseEnv, maxOutput: 100, onOutput: (stream, chunk) => (seen[stream] += chunk.length) },
    )
    expect(result.ok).toBe(true)
    expect(seen).toEqual({ stdout: 200_000, stderr: 70_000 })
  })

  it('reports a command killed by a signal', async () => {
    const result = await run({ cmd: 'kill -SEGV $$', shell: true })
    expect(result).toMatchObject({ ok: false, error: '"kill -SEGV $$" was killed by SIGSEGV', meta: { signal: 'SIGSEGV' } })
    expect(result.exitCode).toBeUndefined()
  })

  it('shortens a multi-line shell script in messages', async () => {
    const result = await run({ cmd: 'true\nexit 4', shell: true })
    expect(result.error).toBe('"true …" exited with code 4')
  })

  it.each([
    ['no spec', null, 'cli step must be an object like { exec: \'cli\', cmd: \'echo\' }, got null'],
    ['a missing cmd', {}, 'cli step is missing "cmd": set it to the command to run, got undefined'],
    ['an empty cmd', { cmd: '' }, 'cli step is missing "cmd": set it to the command to run, got ""'],
    ['a NUL in cmd', { cmd: 'ec\0ho' }, 'cmd "ec\\u0000ho" contains a NUL byte: remove it'],
    ['args as a string', { cmd: 'ls', args: '-l src' }, '"args" of "ls" must be an array of strings, got "-l src": split it like ["-l", "src"]'],
    ['a non-string arg', { cmd: 'ls', args: ['-l', 5] }, 'args[1] of "ls" must be a string, got 5: quote it'],
    ['a NUL in an arg', { cmd: 'ls', args: ['a\0b'] }, 'args[0] of "ls" contains a NUL byte: remove it'],
    ['env as an array', { cmd: 'ls', env: ['A=1'] }, '"env" of "ls" must be an object of strings, got an array of 1: use { NAME: "value" }'],
    ['a non-string env value', { cmd: 'ls', env: { PORT: 8080 } }, 'env.PORT of "ls" must be a string, got 8080: quote it like "8080"'],
    ['a NUL in an env value', { cmd: 'ls', env: { A: 'x\0' } }, 'env.A of "ls" contains a NUL byte: remove it'],
    ['a negative timeout', { cmd: 'ls', timeout: -1 }, '"timeout" of "ls" must be a positive number of milliseconds, got -1'],
    ['a string timeout', { cmd: 'ls', timeout: '5s' }, '"timeout" of "ls" must be a positive number of milliseconds, got "5s"'],
    ['a non-boolean shell', { cmd: 'ls', shell: 'yes' }, '"shell" of "ls" must be true or false, got "yes"'],
  ])('returns a failed result for %s without running anything', async (_, spec, error) => {
    const root = tempDir()
    const result = await runCli(spec as unknown as CliExecSpec, { root, env: baseEnv })
    expect(result).toEqual({ ok: false, error, durationMs: 0 })
  })
})

describe('runCli: timeouts, aborts and leftover processes', () => {
  // The shell leads the group; its background `sleep` is a grandchild of ours that must die with it.
  const withGrandchild = 'sleep 60 & echo $! > grandchild.pid; wait'

  it('kills the whole process group on timeout', async () => {
    const root = tempDir()
    const started = Date.now()
    const result = await run({ cmd: withGrandchild, shell: true, timeout: 1000 }, { root })
    expect(result).toMatchObject({ ok: false, error: `"${withGrandchild}" timed out after 1000 ms (process group killed)` })
    expect(Date.now() - started).toBeLessThan(15_000)
    const pid = readPid(root)
    await waitUntil(() => !isRunning(pid), `grandchild ${pid} to die`)
  })

  it('sends SIGKILL when the group ignores SIGTERM', async () => {
    const root = tempDir()
    const started = Date.now()
    const result = await run({ cmd: `trap '' TERM; ${withGrandchild}`, shell: true, timeout: 500 }, { root })
    expect(result).toMatchObject({ ok: false, meta: { signal: 'SIGKILL' } })
    expect(result.error).toMatch(/timed out after 500 ms \(process group killed\)$/)
    expect(Date.now() - started).toBeLessThan(15_000)
    const pid = readPid(root)
    await waitUntil(() => !isRunning(pid), `grandchild ${pid} to die`)
  })

  it('kills the whole process group when the signal aborts', async () => {
    const root = tempDir()
    const controller = new AbortController()
    const pending = run({ cmd: withGrandchild, shell: true }, { root, signal: controller.signal })
    await waitUntil(() => existsSync(join(root, 'grandchild.pid')) && readPid(root) > 0, 'the grandchild to start')
    controller.abort(new Error('daemon shutting down'))
    const result = await pending
    expect(result).toMatchObject({ ok: false, error: `"${withGrandchild}" aborted: daemon shutting down` })
    const pid = readPid(root)
    await waitUntil(() => !isRunning(pid), `grandchild ${pid} to die`)
  })

  it('runs nothing when the signal is already aborted', async () => {
    const root = tempDir()
    const result = await run({ cmd: 'touch', args: ['ran'] }, { root, signal: AbortSignal.abort('shutdown') })
    expect(result).toMatchObject({ ok: false, error: '"touch" aborted: shutdown' })
    expect(existsSync(join(root, 'ran'))).toBe(false)
  })

  it('settles when the command exits but a background process keeps stdout open, and kills it', async () => {
    const root = tempDir()
    const started = Date.now()
    const result = await run({ cmd: 'sleep 60 & echo $! > grandchild.pid; echo done', shell: true }, { root })
    expect(result).toMatchObject({ ok: true, exitCode: 0, stdout: 'done\n' })
    expect(Date.now() - started).toBeLessThan(15_000)
    const pid = readPid(root)
    await waitUntil(() => !isRunning(pid), `leftover ${pid} to die`)
  })

  it('kills background processes left behind even when they closed stdout', async () => {
    const root = tempDir()
    const result = await run({ cmd: 'sleep 60 >/dev/null 2>&1 & echo $! > grandchild.pid', shell: true }, { root })
    expect(result.ok).toBe(true)
    const pid = readPid(root)
    await waitUntil(() => !isRunning(pid), `leftover ${pid} to die`)
  })
})

describe('runCli: output limits', () => {
  it('keeps the first 1 MiB of each stream by default and flags the cut', async () => {
    const script = "process.stdout.write('a'.repeat(3 * 1024 * 1024)); process.stderr.write('small')"
    const result = await run({ cmd: NODE, args: ['-e', script] })
    expect(result.ok).toBe(true)
    expect(result.stdout).toBe('a'.repeat(1024 * 1024))
    expect(result.stderr).toBe('small')
    expect(result.meta).toEqual({ truncated: { stdout: true } })
  })

  it('honours maxOutput on both streams and does not flag output that fits exactly', async () => {
    const cut = await run({ cmd: 'sh', args: ['-c', 'printf 0123456789; printf abcdefghij >&2'] }, { maxOutput: 4 })
    expect(cut).toMatchObject({ stdout: '0123', stderr: 'abcd', meta: { truncated: { stdout: true, stderr: true } } })
    const exact = await run({ cmd: 'printf', args: ['0123'] }, { maxOutput: 4 })
    expect(exact).toMatchObject({ stdout: '0123' })
    expect(exact.meta).toBeUndefined()
  })

  it('never splits a multi-byte UTF-8 character at the cut', async () => {
    // "é" is two bytes: a 5-byte cut falls inside the third one.
    const result = await run({ cmd: 'printf', args: ['ééé'] }, { maxOutput: 5 })
    expect(result.stdout).toBe('éé')
    expect(result.meta).toEqual({ truncated: { stdout: true } })
  })
})
