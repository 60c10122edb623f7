import type { Job, JobDefinition, JobMeta } from '../types/job'
import { loadCroner } from '../utils/croner'
import { isPlainObject } from '../utils/messages'
import { type Problem, type Rule, either, every, is, keyPath, object, optional, problem } from '../utils/rules'

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

export function validateJob<Payload>(definition: JobDefinition<Payload>): Job<Payload> {
  const found = jobRule(definition)
  if (found) {
    const field = keyPath(found.keys) || 'defineJob()'
    throw new JobDefinitionError(field, `\`${field}\` must be ${found.message}`)
  }
  return { ...definition, kind: definition.steps ? 'composite' : 'atomic', meta: definition.meta ?? {} }
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString)
const isGlobs = (value: unknown): boolean => (isString(value) && value !== '') || (isStringArray(value) && value.length > 0)
const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0
const isBoolean = (value: unknown): boolean => typeof value === 'boolean'

const fn = is(value => typeof value === 'function', 'a function')
/** Patterns are read in order and `!` excludes what came before: a list of only `!` patterns includes nothing. */
const globs = every(
  is(isGlobs, 'a glob or an array of globs'),
  is(value => ![value].flat().every(glob => glob.startsWith('!')), value => `more than ! patterns: they exclude from what an earlier pattern included, so add one first, e.g. ['**', ${JSON.stringify([value].flat()[0])}]`),
)
/** Globs (checked as such), or else the shape of `rule`. */
const globsOr = (rule: Rule): Rule => value => (isGlobs(value) ? globs(value) : rule(value))
/** `on.tag` and `on.branch`: globs, or `{ match?, ignore?, semver? }`. */
const nameFilter = (entries: Record<string, Rule>) => globsOr(object(entries, {
  expected: `a glob, an array of globs, or { ${Object.keys(entries).join('?, ')}? }`,
  unknownKey: `one of ${Object.keys(entries).join(', ')}`,
}))

const COMMIT_FILTER_KEYS = ['branches', 'branchesIgnore', 'paths', 'pathsIgnore', 'message', 'author', 'type', 'scope', 'merge']
const PATH_KINDS = ['any', 'added', 'modified', 'deleted']

const commitFilter = object({
  branches: optional(globs),
  branchesIgnore: optional(globs),
  paths: optional(globsOr(object(Object.fromEntries(PATH_KINDS.map(kind => [kind, optional(globs)])), {
    expected: `a glob, an array of globs, or { ${PATH_KINDS.join('?, ')}? }`,
    unknownKey: `one of ${PATH_KINDS.join(', ')}`,
  }))),
  pathsIgnore: optional(globs),
  message: optional(is(value => isString(value) && regexProblem(value) === undefined, value => (isString(value) ? `a valid regular expression (${regexProblem(value)})` : 'a regular expression source string'))),
  author: optional(is(isGlobs, 'a glob or an array of globs')),
  type: optional(is(isGlobs, 'a string or an array of strings')),
  scope: optional(is(isGlobs, 'a string or an array of strings')),
  merge: optional(is(value => isBoolean(value) || (isPlainObject(value) && isGlobs(value.into)), 'true, false, or { into: branch globs }')),
}, { expected: `true or an object { ${COMMIT_FILTER_KEYS.join('?, ')}? }`, unknownKey: `one of ${COMMIT_FILTER_KEYS.join(', ')}` })

const triggers = object({
  commit: optional(either(is(value => value === true, 'true'), commitFilter)),
  tag: optional(nameFilter({ match: optional(globs), ignore: optional(globs), semver: optional(is(isBoolean, 'true or false')) })),
  branch: optional(nameFilter({ match: optional(globs), ignore: optional(globs) })),
}, { expected: 'an object like { commit: true }', unknownKey: 'one of on.commit, on.tag, on.branch' })

const concurrency = either(
  is(isString, ''),
  object({
    group: is(value => (isString(value) && value !== '') || typeof value === 'function', 'a non-empty string or a function of the run returning one'),
    max: optional(is(value => Number.isInteger(value) && value >= 1, 'an integer >= 1')),
    cancelInProgress: optional(is(isBoolean, 'true or false')),
  }, { expected: 'a group key string, or { group, max?, cancelInProgress? }', unknownKey: 'one of group, max, cancelInProgress' }),
)

const fields = {
  kind: optional(is(value => value === 'atomic' || value === 'composite', '"atomic" or "composite"')),
  meta: optional(every(object({
    desc: optional(is(isString, 'a string')),
    schedule: optional(is(value => isString(value) && value.trim() !== '', 'a cron expression string')),
    timezone: optional(is(value => isString(value) && isTimeZone(value), 'an IANA time zone like "Europe/Paris"')),
    tags: optional(is(isStringArray, 'an array of strings')),
    catchUp: optional(is(value => value === 'latest' || value === 'none' || isCount(value), '"latest", "none", or a whole number of slots')),
  }, { expected: 'an object' }), cronSchedule)),
  on: optional(triggers),
  run: optional(fn),
  steps: optional(is(value => Array.isArray(value) && value.every(step => typeof step === 'function' || (isPlainObject(step) && isString(step.exec))), 'an array of exec specs like { exec: \'cli\', cmd: \'echo\' }, or functions of the earlier steps returning one')),
  validate: optional(fn),
  timeout: optional(is(value => Number.isInteger(value) && value > 0, 'a positive number of milliseconds')),
  env: optional(is(value => isPlainObject(value) && Object.values(value).every(isString), 'an object of string values')),
  retry: optional(object({
    count: is(isCount, 'an integer >= 0'),
    backoff: optional(is(isCount, 'a number of milliseconds >= 0')),
  }, { expected: 'an object { count, backoff? }' })),
  concurrency: optional(every(is(value => value !== '', 'a non-empty group key, or { group, max?, cancelInProgress? }'), concurrency)),
  skipIntermediate: optional(is(isBoolean, 'true or false')),
  checkout: optional(is(value => value === 'live' || value === 'isolated', '"live" or "isolated"')),
  if: optional(is(value => typeof value === 'function', 'a function of the run returning true or false')),
}

/** A job is atomic (`run`) or composite (`steps`), never both; an explicit `kind` must agree. */
const oneKind: Rule = (value) => {
  const { run, steps, kind } = value as JobDefinition
  if (run && steps) return problem('absent when `steps` is given (a job is atomic with run, or composite with steps)', run, ['run'])
  if (!run && !steps) return problem('a function, or `steps` an array (a job needs something to do)', run, ['run'])
  const inferred = steps ? 'composite' : 'atomic'
  if (kind !== undefined && kind !== inferred) return problem(`"${inferred}" for a job with ${steps ? 'steps' : 'run'}`, kind, ['kind'])
}

const jobRule = every(
  object(fields, {
    expected: 'called with an object: defineJob({ run() { ... } })',
    unknownKey: `one of the known keys (${Object.keys(fields).join(', ')}), or removed`,
  }),
  oneKind,
)

/** `meta.schedule` parses as croner reads it (in its time zone): a broken job everywhere, not only in the daemon. */
function cronSchedule(value: unknown): Problem | undefined {
  const { schedule, timezone } = value as JobMeta
  if (schedule === undefined) return
  try {
    new (loadCroner().Cron)(schedule, { timezone: timezone ?? 'UTC', paused: true }).stop()
  } catch (error) {
    const why = (error as Error).message.replace(/^Cron\w*: /, '').replace(/\.$/, '')
    return problem(`a valid cron expression (${why}), e.g. "0 3 * * *" for 03:00 daily`, schedule, ['schedule'])
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source)
  } catch (error) {
    return (error as Error).message
  }
}
