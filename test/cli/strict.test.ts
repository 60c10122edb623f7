import type { ArgsDef } from 'citty'
import { describe, expect, it } from 'vitest'
import { commands } from '../../src/cli/index'
import { assertKnownArgs } from '../../src/cli/strict-args'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { tempDir } from '../utils/repo'

const ARGS = {
  'id': { type: 'positional', required: true },
  'payload': { type: 'string', valueHint: 'json' },
  'retry-failed': { type: 'boolean' },
  'verbose': { type: 'boolean', alias: ['V'] },
} as const satisfies ArgsDef

const check = (...rawArgs: string[]) => () => assertKnownArgs(rawArgs, ARGS, 'gitvan x')

describe('strict command lines', () => {
  it('every registered command refuses an unknown flag, before doing anything (a command without defineGitVanCommand fails here)', async () => {
    const outside = tempDir()
    const names = Object.keys(commands)
    expect(names.length).toBeGreaterThanOrEqual(10)
    const results = await Promise.all(names.map(async (name) => {
      const def = await commands[name]!()
      const args: ArgsDef = (typeof def.args === 'function' ? await def.args() : await def.args) ?? {}
      // Required positionals get a placeholder, so that only the unknown flag can be wrong.
      const positionals = Object.values(args).filter(arg => arg.type === 'positional' && arg.required !== false).map(() => 'placeholder')
      const { code, stderr } = await gitvan([name, ...positionals, '--definitely-unknown'], { cwd: outside })
      return { name, code, stderr: stderr.trim() }
    }))
    for (const { name, code, stderr } of results) {
      expect({ name, code, stderr }).toEqual({ name, code: 1, stderr: expect.stringMatching(new RegExp(`^gitvan: Unknown flag --definitely-unknown for \`gitvan ${name}\`: it takes --\\S+.* \\(run \`gitvan ${name} --help\`\\)$`)) })
    }
  })

  it('a misspelled flag gets a suggestion; `daemon --onec` exits instead of starting a daemon', async () => {
    const repo = createProject({ 'jobs/hello.ts': 'export default defineJob({ on: { commit: true }, run() {} })\n' })
    const run = await gitvan(['run', 'hello', '--paylod', '{}'], { cwd: repo })
    expect(run.code).toBe(1)
    expect(run.stderr.trim()).toBe('gitvan: Unknown flag --paylod for `gitvan run`: did you mean --payload? (run `gitvan run --help`)')
    const daemon = await gitvan(['daemon', '--onec'], { cwd: repo, timeout: 20_000 })
    expect(daemon.code).toBe(1)
    expect(daemon.stderr.trim()).toBe('gitvan: Unknown flag --onec for `gitvan daemon`: did you mean --once? (run `gitvan daemon --help`)')
    expect(daemon.stdout).toBe('')
    const negated = await gitvan(['daemon', '--no-onec'], { cwd: repo })
    expect(negated.stderr.trim()).toBe('gitvan: Unknown flag --no-onec for `gitvan daemon`: did you mean --no-once? (run `gitvan daemon --help`)')
    const status = await gitvan(['daemon', 'status', '--jsno'], { cwd: repo })
    expect(status.code).toBe(1)
    expect(status.stderr.trim()).toBe('gitvan: Unknown flag --jsno for `gitvan daemon`: did you mean --json? (run `gitvan daemon --help`)')
  })

  it('extra arguments, missing values and missing required arguments are one-line errors', async () => {
    const cwd = tempDir()
    const cases: [string[], string][] = [
      [['list', 'extra'], 'gitvan: Unexpected argument "extra" for `gitvan list`: it takes no arguments (run `gitvan list --help`)'],
      [['run', 'a', 'b'], 'gitvan: Unexpected argument "b" for `gitvan run`: it takes <id> (run `gitvan run --help`)'],
      [['run', 'a', '--payload'], 'gitvan: --payload needs a value: --payload <json> (run `gitvan run --help`)'],
      [['daemon', '--once=yes'], 'gitvan: --once takes no value, got "yes" (run `gitvan daemon --help`)'],
      [['log', '--no-sha'], 'gitvan: --no-sha is not a flag of `gitvan log`: --sha takes a value, not a --no- form (run `gitvan log --help`)'],
      [['list', '-x'], 'gitvan: Unknown flag -x for `gitvan list`: it takes --cwd, --config, --remote, --json (run `gitvan list --help`)'],
      [['run'], 'gitvan: `gitvan run` needs <id> (run `gitvan run --help`)'],
    ]
    const results = await Promise.all(cases.map(([args]) => gitvan(args, { cwd })))
    results.forEach((result, i) => {
      expect({ args: cases[i]![0], code: result.code, stderr: result.stderr.trim() }).toEqual({ args: cases[i]![0], code: 1, stderr: cases[i]![1] })
    })
  })

  it('accepts what citty reads: --flag=value, camelCase, --no- of booleans, aliases, and an argument after --', () => {
    expect(check('--payload={}', '--retryFailed', '--no-verbose', '-V', '--verbose=false', '--', '--an-id')).not.toThrow()
    expect(check('--', 'a', 'b')).toThrow('Unexpected argument "b"')
    expect(check('a', '--payload', '--json')).not.toThrow() // a string flag takes the next argument, whatever it looks like
    expect(check('a', '--retry-faild')).toThrow('Unknown flag --retry-faild for `gitvan x`: did you mean --retry-failed? (run `gitvan x --help`)')
    expect(check('a', '-Vq')).toThrow('Unknown flag -q for `gitvan x`')
    expect(check('a', '--no-payload')).toThrow('--no-payload is not a flag of `gitvan x`: --payload takes a value, not a --no- form')
  })
})
