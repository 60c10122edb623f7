import { parseArgs } from 'node:util'
import type { ArgsDef } from 'citty'
import { camelCase, kebabCase } from 'scule'
import { suggest } from '../utils/suggest'

/** A command line that does not fit the command's flags and arguments. */
class UsageError extends Error {
  override name = 'UsageError'
}

interface FlagInfo {
  /** The name as the command declares it, shown in messages (`--retry-failed`). */
  name: string
  type: 'string' | 'boolean'
  valueHint?: string
}

/**
 * Check `rawArgs` against a command's `args` the way citty reads them (`--flag value`, `--flag=value`, `--no-flag`,
 * aliases, camelCase or kebab-case names, `--` ending the flags), and throw a `UsageError` on the first thing it
 * would silently ignore: an unknown flag (with a did-you-mean), a string flag without a value, a value given to a
 * boolean flag, `--no-` on a flag that is not a boolean, or more positional arguments than the command takes.
 */
export function assertKnownArgs(rawArgs: readonly string[], argsDef: ArgsDef, command: string): void {
  const flags = new Map<string, FlagInfo>()
  const shorts = new Map<string, FlagInfo>()
  const positionals: string[] = []
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === 'positional') {
      positionals.push(name)
      continue
    }
    const info: FlagInfo = { name, type: def.type === 'boolean' ? 'boolean' : 'string', valueHint: def.valueHint }
    const aliases = 'alias' in def ? [def.alias ?? []].flat() : []
    for (const spelling of [name, camelCase(name), kebabCase(name), ...aliases]) {
      if (spelling.length === 1) shorts.set(spelling, info)
      else flags.set(spelling, info)
    }
  }
  const help = `run \`${command} --help\``
  const fail = (message: string): never => {
    throw new UsageError(`${message} (${help})`)
  }
  const declared = [...new Set(flags.values())]
  const unknown = (raw: string): never => {
    const negated = raw.startsWith('--no-')
    const candidates = declared.filter(flag => !negated || flag.type === 'boolean').map(flag => `${negated ? '--no-' : '--'}${flag.name}`)
    const close = suggest(raw, candidates)
    const known = declared.map(flag => `--${flag.name}`)
    return fail(`Unknown flag ${raw} for \`${command}\`: ${close.length > 0 ? `did you mean ${close.join(' or ')}?` : known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes no flags'}`)
  }

  // citty reads every `--no-<name>` before `--` itself, as `<name>: false`.
  const end = rawArgs.indexOf('--')
  const rest: string[] = []
  for (const [index, arg] of rawArgs.entries()) {
    if ((end === -1 || index < end) && arg.startsWith('--no-')) {
      const flag = flags.get(arg.slice(5))
      if (!flag) unknown(arg)
      else if (flag.type !== 'boolean') fail(`${arg} is not a flag of \`${command}\`: --${flag.name} takes a value, not a --no- form`)
      continue
    }
    rest.push(arg)
  }

  const options = Object.fromEntries([...flags].map(([spelling, flag]) => [spelling, { type: flag.type }]))
  for (const [short, flag] of shorts) options[short] = { type: flag.type }
  const { tokens } = parseArgs({ args: rest, options, allowPositionals: true, strict: false, tokens: true })
  let given = 0
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (++given > positionals.length) {
        const takes = positionals.length === 0 ? 'it takes no arguments' : `it takes ${positionals.map(name => `<${name}>`).join(' ')}`
        fail(`Unexpected argument "${token.value}" for \`${command}\`: ${takes}`)
      }
      continue
    }
    if (token.kind !== 'option') continue
    const flag = token.rawName.startsWith('--') ? flags.get(token.name) : shorts.get(token.name)
    if (!flag) unknown(token.rawName)
    else if (flag.type === 'string' && token.value === undefined) fail(`${token.rawName} needs a value: ${token.rawName} <${flag.valueHint ?? 'value'}>`)
    else if (flag.type === 'boolean' && token.value !== undefined && !['true', 'false'].includes(token.value)) fail(`${token.rawName} takes no value, got "${token.value}"`)
  }
}
