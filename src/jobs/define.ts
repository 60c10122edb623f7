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

const KNOWN_KEYS = new Set(['kind', 'meta', 'on', 'run', 'steps', 'validate', 'timeout', 'env', 'retry'])

export function validateJob<Payload>(definition: JobDefinition<Payload>): Job<Payload> {
  const fail: Fail = (field, expected) => {
    throw new JobDefinitionError(field, `\`${field}\` must be ${expected}`)
  }
  if (!isPlainObject(definition)) fail('defineJob()', 'called with an object: defineJob({ run() { ... } })')
  for (const key of Object.keys(definition)) {
    if (!KNOWN_KEYS.has(key)) fail(key, `one of the known keys (${[...KNOWN_KEYS].join(', ')}), or removed`)
  }
  const { kind, meta = {}, on, run, steps, validate, timeout, env, retry } = definition
  if (run !== undefined && typeof run !== 'function') fail('run', 'a function')
  if (steps !== undefined && !(Array.isArray(steps) && steps.every(step => isPlainObject(step) && typeof step.exec === 'string'))) {
    fail('steps', 'an array of exec specs like { exec: \'cli\', cmd: \'echo\' }')
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
  if (retry !== undefined) validateRetry(retry, fail)
  return { ...definition, kind: inferred, meta }
}

type Fail = (field: string, expected: string) => never

const COMMIT_FILTER_KEYS = ['branches', 'paths', 'message', 'author', 'type', 'scope', 'merge']
const PATH_KINDS = ['any', 'added', 'modified', 'deleted']

function validateTriggers(on: NonNullable<JobDefinition['on']>, fail: Fail): void {
  if (!isPlainObject(on)) fail('on', 'an object like { commit: true }')
  for (const key of Object.keys(on)) {
    if (!['commit', 'tag', 'branch'].includes(key)) fail(`on.${key}`, 'one of on.commit, on.tag, on.branch')
  }
  const { commit, tag, branch } = on
  if (commit !== undefined && commit !== true) validateCommitFilter(commit, fail)
  if (tag !== undefined && !isGlobs(tag)) {
    if (!isPlainObject(tag)) fail('on.tag', 'a glob, an array of globs, or { match?, semver? }')
    const filter = tag as Record<string, unknown>
    for (const key of Object.keys(filter)) if (key !== 'match' && key !== 'semver') fail(`on.tag.${key}`, 'one of match, semver')
    if (filter.match !== undefined && !isGlobs(filter.match)) fail('on.tag.match', 'a glob or an array of globs')
    if (filter.semver !== undefined && typeof filter.semver !== 'boolean') fail('on.tag.semver', 'true or false')
  }
  if (branch !== undefined && !isGlobs(branch)) fail('on.branch', 'a glob or an array of globs')
}

function validateCommitFilter(commit: unknown, fail: Fail): void {
  if (!isPlainObject(commit)) fail('on.commit', `true or an object { ${COMMIT_FILTER_KEYS.join('?, ')}? }`)
  const filter = commit as Record<string, any>
  for (const key of Object.keys(filter)) {
    if (!COMMIT_FILTER_KEYS.includes(key)) fail(`on.commit.${key}`, `one of ${COMMIT_FILTER_KEYS.join(', ')}`)
  }
  for (const key of ['branches', 'author'] as const) {
    if (filter[key] !== undefined && !isGlobs(filter[key])) fail(`on.commit.${key}`, 'a glob or an array of globs')
  }
  for (const key of ['type', 'scope'] as const) {
    if (filter[key] !== undefined && !isGlobs(filter[key])) fail(`on.commit.${key}`, 'a string or an array of strings')
  }
  if (filter.paths !== undefined && !isGlobs(filter.paths)) {
    if (!isPlainObject(filter.paths)) fail('on.commit.paths', 'a glob, an array of globs, or { any?, added?, modified?, deleted? }')
    for (const [kind, globs] of Object.entries(filter.paths)) {
      if (!PATH_KINDS.includes(kind)) fail(`on.commit.paths.${kind}`, `one of ${PATH_KINDS.join(', ')}`)
      if (!isGlobs(globs)) fail(`on.commit.paths.${kind}`, 'a glob or an array of globs')
    }
  }
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

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string')
}

function isGlobs(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (isStringArray(value) && value.length > 0)
}
