import { llmConfigRules } from '../llm/validate'
import type { ResolvedGitVanConfig } from '../types/config'
import { describeValue } from '../utils/describe'
import { isPlainObject } from '../utils/messages'
import { type Key, type ObjectRule, type Rule, is, keyPath, object, oneOf } from '../utils/rules'

/** A config value that does not fit: the key path and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const string = is(value => typeof value === 'string' && value !== '', 'a non-empty string')
const boolean = is(value => typeof value === 'boolean', 'true or false')
const stringArray = is(value => Array.isArray(value) && value.every(item => typeof item === 'string'), 'an array of strings')
const integer = (min: number) => is(value => Number.isInteger(value) && value >= min, `an integer >= ${min}`)
const notesRef = is(value => typeof value === 'string' && /^refs\/notes\/[\w./-]+$/.test(value) && !value.includes('..'), 'a notes ref like "refs/notes/gitvan/results"')
/** A section whose keys GitVan knows one by one; other keys in it are reported as unknown. */
const section = (entries: Record<string, Rule>) => object(entries, { expected: 'an object' })

/** Every key GitVan itself reads, in the order they are checked. */
const configRule = object({
  jobsDir: string,
  templatesDir: string,
  importsDirs: stringArray,
  pluginsDir: string,
  jobs: section({ timeout: integer(1), maxDepth: integer(1), isolation: oneOf(['worker', 'none']), memoryLimit: integer(16) }),
  templates: section({ autoescape: boolean }),
  daemon: section({
    lookback: integer(1),
    concurrency: integer(1),
    pollInterval: integer(50),
    worktrees: oneOf(['current', 'all']),
    grace: integer(0),
    housekeeping: boolean,
  }),
  locks: section({ ttl: integer(1000) }),
  remote: is(value => value === false || (typeof value === 'string' && /^[^\s-]\S*$/.test(value)), 'false, or the name or URL of a Git remote (e.g. "origin")'),
  receipts: section({ ref: notesRef }),
  logs: section({ maxBytes: integer(0), secrets: stringArray }),
  env: stringArray,
  plugins: is(Array.isArray, 'an array'),
  // Any hook name: plugins add their own, and unknown GitVan hooks warn when registered.
  hooks: is(isPlainObject, 'an object'),
  llm: section({ ...llmConfigRules, cache: boolean }),
}, { expected: 'an object' })

const sections = Object.entries(configRule.entries).filter((entry): entry is [string, ObjectRule] => 'entries' in entry[1])

/** Every key path GitVan reads, e.g. `daemon.lookback`: for "did you mean" hints. */
export const knownConfigPaths = Object.keys(configRule.entries).flatMap((key) => {
  const inner = sections.find(([name]) => name === key)?.[1]
  return [key, ...Object.keys(inner?.entries ?? {}).map(sub => `${key}.${sub}`)]
})

/**
 * Check a resolved config; throws a `ConfigError` naming the file that sets the key (`sourceOf`), the key path and
 * what was expected.
 * Returns the unknown keys: top-level ones (plugin config keys are passed in `allowedKeys`) and, inside
 * GitVan's own sections, key paths such as `daemon.lokback`.
 */
export function validateConfig(config: ResolvedGitVanConfig, sourceOf: (keys: readonly Key[]) => string, allowedKeys: Iterable<string> = []): string[] {
  const problem = configRule(config)
  if (problem) {
    const got = problem.secret ? '' : `, got ${describeValue(problem.value)}`
    throw new ConfigError(`Invalid config in ${sourceOf(problem.keys)}: \`${keyPath(problem.keys)}\` must be ${problem.message}${got}`)
  }
  const allowed = new Set(['rootDir', ...allowedKeys])
  const values = config as unknown as Record<string, Record<string, unknown>>
  const nested = sections.flatMap(([name, rule]) => Object.keys(values[name]!).filter(key => !Object.hasOwn(rule.entries, key)).map(key => `${name}.${key}`))
  return [...Object.keys(config).filter(key => !Object.hasOwn(configRule.entries, key) && !allowed.has(key)), ...nested]
}
