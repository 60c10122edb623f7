import type { Job, JobDefinition } from '../types/job'
import { isPlainObject } from '../utils/messages'

/** A job definition that breaks the rules: names the field and what was expected. */
export class JobDefinitionError extends Error {
  override name = 'JobDefinitionError'
  constructor(readonly field: string, message: string) {
    super(message)
  }
}

/** Declare a job. Validates the definition and infers `kind` from `run` (atomic) or `steps` (composite). */
export function defineJob<Payload = any>(definition: JobDefinition<Payload>): Job<Payload> {
  return validateJob(definition)
}

const KNOWN_KEYS = new Set(['kind', 'meta', 'on', 'run', 'steps', 'validate', 'timeout', 'env', 'retry', 'concurrency', 'skipIntermediate', 'checkout', 'if'])

export function validateJob<Payload>(definition: JobDefinition<Payload>): Job<Payload> {
  const fail: Fail = (field, expected) => {
    throw new JobDefinitionError(field, `\`${field}\` must be ${expected}`)
  }
  if (!isPlainObject(definition)) fail('defineJob()', 'called with an object: defineJob({ run() { ... } })')
  for (const key of Object.keys(definition)) {
    if (!KNOWN_KEYS.has(key)) fail(key, `one of the known keys (${[...KNOWN_KEYS].join(', ')}), or removed`)
  }
  const { kind, meta = {}, on, run, steps, validate, timeout, env, retry, concurrency, skipIntermediate, checkout } = definition
  if (run !== undefined && typeof run !== 'function') fail('run', 'a function')
  if (steps !== undefined && !(Array.isArray(steps) && steps.every(step => typeof step === 'function' || (isPlainObject(step) && typeof step.exec === 'string')))) {
    fail('steps', 'an array of exec specs like { exec: \'cli\', cmd: \'echo\' }, or functions of the earlier steps returning one')
  }
  if (run && steps) fail('run', 'absent when `steps` is given (a job is atomic with run, or composite with steps)')
  if (!run && !steps) fail('run', 'a function, or `steps` an array (a job needs something to do)')
  const inferred = steps ? 'composite' : 'atomic'
  if (kind !== undefined && kind !== inferred) fail('kind', `"${inferred}" for a job with ${steps ? 'steps' : 'run'}`)
  if (!isPlainObject(meta)) fail('meta', 'an object')
  if (meta.desc !== undefined && typeof meta.desc !== 'string') fail('meta.desc', 'a string')
  if (meta.schedule !== undefined && (typeof meta.schedule !== 'string' || meta.schedule.trim() === '')) fail('meta.schedule', 'a cron expression string')
  if (meta.timezone !== undefined && typeof meta.timezone !== 'string') fail('meta.timezone', 'an IANA time zone like "Europe/Paris"')
  if (meta.tags !== undefined && !isStringArray(meta.tags)) fail('meta.tags', 'an array of strings')
  if (on !== undefined) validateTriggers(on, fail)
  if (validate !== undefined && typeof validate !== 'function') fail('validate', 'a function')
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) fail('timeout', 'a positive number of milliseconds')
  if (env !== undefined && !(isPlainObject(env) && Object.values(env).every(value => typeof value === 'string'))) fail('env', 'an object of string values')
  if (meta.catchUp !== undefined && !(meta.catchUp === 'latest' || meta.catchUp === 'none' || (Number.isInteger(meta.catchUp) && (meta.catchUp as number) >= 0))) {
    fail('meta.catchUp', '"latest", "none", or a whole number of slots')
  }
  if (retry !== undefined) validateRetry(retry, fail)
  if (concurrency !== undefined) validateConcurrency(concurrency, fail)
  if (skipIntermediate !== undefined && typeof skipIntermediate !== 'boolean') fail('skipIntermediate', 'true or false')
  if (checkout !== undefined && checkout !== 'live' && checkout !== 'isolated') fail('checkout', '"live" or "isolated"')
  if (definition.if !== undefined && typeof definition.if !== 'function') fail('if', 'a function of the run returning true or false')
  return { ...definition, kind: inferred, meta }
}

type Fail = (field: string, expected: string) => never

const COMMIT_FILTER_KEYS = ['branches', 'branchesIgnore', 'paths', 'pathsIgnore', 'message', 'author', 'type', 'scope', 'merge']
const PATH_KINDS = ['any', 'added', 'modified', 'deleted']

function validateTriggers(on: NonNullable<JobDefinition['on']>, fail: Fail): void {
  if (!isPlainObject(on)) fail('on', 'an object like { commit: true }')
  for (const key of Object.keys(on)) {
    if (!['commit', 'tag', 'branch'].includes(key)) fail(`on.${key}`, 'one of on.commit, on.tag, on.branch')
  }
  const { commit, tag, branch } = on
  if (commit !== undefined && commit !== true) validateCommitFilter(commit, fail)
  if (tag !== undefined) validateNameFilter(tag, 'on.tag', ['match', 'ignore', 'semver'], fail)
  if (branch !== undefined) validateNameFilter(branch, 'on.branch', ['match', 'ignore'], fail)
}

/** `on.tag` and `on.branch`: globs, or `{ match?, ignore?, semver? }`. */
function validateNameFilter(value: unknown, field: string, keys: string[], fail: Fail): void {
  if (isGlobs(value)) return checkInclusive(value, field, fail)
  if (!isPlainObject(value)) fail(field, `a glob, an array of globs, or { ${keys.join('?, ')}? }`)
  const filter = value as Record<string, unknown>
  for (const key of Object.keys(filter)) if (!keys.includes(key)) fail(`${field}.${key}`, `one of ${keys.join(', ')}`)
  for (const key of ['match', 'ignore']) {
    if (filter[key] === undefined) continue
    if (!isGlobs(filter[key])) fail(`${field}.${key}`, 'a glob or an array of globs')
    checkInclusive(filter[key], `${field}.${key}`, fail)
  }
  if (filter.semver !== undefined && typeof filter.semver !== 'boolean') fail(`${field}.semver`, 'true or false')
}

/** Patterns are read in order and `!` excludes what came before: a list of only `!` patterns includes nothing. */
function checkInclusive(globs: unknown, field: string, fail: Fail): void {
  const list = [globs].flat()
  if (list.length > 0 && list.every(glob => typeof glob === 'string' && glob.startsWith('!'))) {
    fail(field, `more than ! patterns: they exclude from what an earlier pattern included, so add one first, e.g. ['**', ${JSON.stringify(list[0])}]`)
  }
}

function validateCommitFilter(commit: unknown, fail: Fail): void {
  if (!isPlainObject(commit)) fail('on.commit', `true or an object { ${COMMIT_FILTER_KEYS.join('?, ')}? }`)
  const filter = commit as Record<string, any>
  for (const key of Object.keys(filter)) {
    if (!COMMIT_FILTER_KEYS.includes(key)) fail(`on.commit.${key}`, `one of ${COMMIT_FILTER_KEYS.join(', ')}`)
  }
  for (const key of ['branches', 'branchesIgnore', 'pathsIgnore', 'author'] as const) {
    if (filter[key] !== undefined && !isGlobs(filter[key])) fail(`on.commit.${key}`, 'a glob or an array of globs')
  }
  for (const key of ['branches', 'branchesIgnore', 'pathsIgnore'] as const) checkInclusive(filter[key], `on.commit.${key}`, fail)
  for (const key of ['type', 'scope'] as const) {
    if (filter[key] !== undefined && !isGlobs(filter[key])) fail(`on.commit.${key}`, 'a string or an array of strings')
  }
  if (filter.paths !== undefined && !isGlobs(filter.paths)) {
    if (!isPlainObject(filter.paths)) fail('on.commit.paths', 'a glob, an array of globs, or { any?, added?, modified?, deleted? }')
    for (const [kind, globs] of Object.entries(filter.paths)) {
      if (!PATH_KINDS.includes(kind)) fail(`on.commit.paths.${kind}`, `one of ${PATH_KINDS.join(', ')}`)
      if (!isGlobs(globs)) fail(`on.commit.paths.${kind}`, 'a glob or an array of globs')
      checkInclusive(globs, `on.commit.paths.${kind}`, fail)
    }
  }
  if (isGlobs(filter.paths)) checkInclusive(filter.paths, 'on.commit.paths', fail)
  if (filter.merge !== undefined && typeof filter.merge !== 'boolean' && !(isPlainObject(filter.merge) && isGlobs(filter.merge.into))) {
    fail('on.commit.merge', 'true, false, or { into: branch globs }')
  }
  if (filter.message !== undefined) {
    if (typeof filter.message !== 'string') fail('on.commit.message', 'a regular expression source string')
    try {
      new RegExp(filter.message)
    } catch (error) {
      fail('on.commit.message', `a valid regular expression (${(error as Error).message})`)
    }
  }
}

function validateRetry(retry: unknown, fail: Fail): void {
  if (!isPlainObject(retry)) fail('retry', 'an object { count, backoff? }')
  const policy = retry as Record<string, unknown>
  if (!(Number.isInteger(policy.count) && (policy.count as number) >= 0)) fail('retry.count', 'an integer >= 0')
  if (policy.backoff !== undefined && !(Number.isInteger(policy.backoff) && (policy.backoff as number) >= 0)) fail('retry.backoff', 'a number of milliseconds >= 0')
}

function validateConcurrency(concurrency: unknown, fail: Fail): void {
  if (typeof concurrency === 'string') {
    if (concurrency === '') fail('concurrency', 'a non-empty group key, or { group, max?, cancelInProgress? }')
    return
  }
  if (!isPlainObject(concurrency)) fail('concurrency', 'a group key string, or { group, max?, cancelInProgress? }')
  const policy = concurrency as Record<string, unknown>
  for (const key of Object.keys(policy)) if (!['group', 'max', 'cancelInProgress'].includes(key)) fail(`concurrency.${key}`, 'one of group, max, cancelInProgress')
  if (!((typeof policy.group === 'string' && policy.group !== '') || typeof policy.group === 'function')) fail('concurrency.group', 'a non-empty string or a function of the run returning one')
  if (policy.max !== undefined && !(Number.isInteger(policy.max) && (policy.max as number) >= 1)) fail('concurrency.max', 'an integer >= 1')
  if (policy.cancelInProgress !== undefined && typeof policy.cancelInProgress !== 'boolean') fail('concurrency.cancelInProgress', 'true or false')
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string')
}

function isGlobs(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (isStringArray(value) && value.length > 0)
}
