import type { ResolvedGitVanConfig } from '../types/config'
import { isPlainObject } from '../utils/messages'

/** A config value that does not fit: the key path and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Check = (value: unknown) => string | undefined

const string: Check = v => (typeof v === 'string' && v !== '' ? undefined : 'a non-empty string')
const boolean: Check = v => (typeof v === 'boolean' ? undefined : 'true or false')
const object: Check = v => (isPlainObject(v) ? undefined : 'an object')
const stringArray: Check = v => (Array.isArray(v) && v.every(item => typeof item === 'string') ? undefined : 'an array of strings')
const array: Check = v => (Array.isArray(v) ? undefined : 'an array')
const oneOf = (...values: string[]): Check => v => (values.includes(v as string) ? undefined : values.map(x => `"${x}"`).join(' or '))
const integer = (min: number): Check => v => (Number.isInteger(v) && (v as number) >= min ? undefined : `an integer >= ${min}`)
const number: Check = v => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a number')
const optional = (check: Check): Check => v => (v === undefined ? undefined : check(v))
const notesRef: Check = v => (typeof v === 'string' && /^refs\/notes\/[\w./-]+$/.test(v) && !v.includes('..') ? undefined : 'a notes ref like "refs/notes/gitvan/results"')

/** Key path -> check, for every key GitVan itself reads. */
const schema: Record<string, Check> = {
  'jobsDir': string,
  'templatesDir': string,
  'importsDirs': stringArray,
  'pluginsDir': string,
  'jobs': object,
  'jobs.timeout': integer(1),
  'jobs.maxDepth': integer(1),
  'templates': object,
  'templates.autoescape': boolean,
  'daemon': object,
  'daemon.lookback': integer(1),
  'daemon.concurrency': integer(1),
  'daemon.pollInterval': integer(50),
  'daemon.worktrees': oneOf('current', 'all'),
  'daemon.grace': integer(0),
  'locks': object,
  'locks.ttl': integer(1000),
  'receipts': object,
  'receipts.ref': notesRef,
  'logs': object,
  'logs.maxBytes': integer(0),
  'logs.secrets': stringArray,
  'env': stringArray,
  'plugins': array,
  'hooks': object,
  'llm': object,
  'llm.provider': string,
  'llm.model': optional(string),
  'llm.baseURL': optional(string),
  'llm.apiKeyEnv': optional(string),
  'llm.temperature': number,
  'llm.seed': integer(Number.MIN_SAFE_INTEGER),
  'llm.timeout': integer(1),
  'llm.maxRetries': integer(0),
  'llm.retryDelay': optional(integer(0)),
  'llm.maxRetryDelay': optional(integer(0)),
  'llm.cache': boolean,
}

const knownTopLevel = new Set([...Object.keys(schema).filter(key => !key.includes('.')), 'rootDir'])

/** Every key path GitVan reads, e.g. `daemon.lookback`: for "did you mean" hints. */
export const knownConfigPaths = Object.keys(schema)

/** Sections whose keys GitVan knows one by one (`hooks` takes any hook name, so it is not one). */
const SECTIONS = [...new Set(Object.keys(schema).filter(key => key.includes('.')).map(key => key.split('.')[0]!))]

/**
 * Check a resolved config; throws a `ConfigError` naming the key path and what was expected.
 * Returns the unknown keys: top-level ones (plugin config keys are passed in `allowedKeys`) and, inside
 * GitVan's own sections, key paths such as `daemon.lokback`.
 */
export function validateConfig(config: ResolvedGitVanConfig, source: string, allowedKeys: Iterable<string> = []): string[] {
  for (const [path, check] of Object.entries(schema)) {
    const value = path.split('.').reduce<any>((node, key) => node?.[key], config)
    const expected = check(value)
    if (expected) {
      throw new ConfigError(`Invalid config in ${source}: \`${path}\` must be ${expected}, got ${describe(value)}`)
    }
  }
  const allowed = new Set(allowedKeys)
  const nested = SECTIONS.flatMap(section => Object.keys((config as any)[section] ?? {}).map(key => `${section}.${key}`).filter(path => !(path in schema)))
  return [...Object.keys(config).filter(key => !knownTopLevel.has(key) && !allowed.has(key)), ...nested]
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return value === null ? 'null' : 'an object'
  return `${typeof value} ${String(value)}`
}
