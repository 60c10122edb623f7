import type { Job, JobDefinition } from '../types/job'

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

const KNOWN_KEYS = new Set(['kind', 'meta', 'on', 'run', 'steps', 'validate', 'timeout', 'env'])

export function validateJob<Payload>(definition: JobDefinition<Payload>): Job<Payload> {
  const fail = (field: string, expected: string): never => {
    throw new JobDefinitionError(field, `\`${field}\` must be ${expected}`)
  }
  if (!isObject(definition)) fail('defineJob()', 'called with an object: defineJob({ run() { ... } })')
  for (const key of Object.keys(definition)) {
    if (!KNOWN_KEYS.has(key)) fail(key, `one of the known keys (${[...KNOWN_KEYS].join(', ')}), or removed`)
  }
  const { kind, meta = {}, on, run, steps, validate, timeout, env } = definition
  if (run !== undefined && typeof run !== 'function') fail('run', 'a function')
  if (steps !== undefined && !(Array.isArray(steps) && steps.every(step => isObject(step) && typeof step.exec === 'string'))) {
    fail('steps', 'an array of exec specs like { exec: \'cli\', cmd: \'echo\' }')
  }
  if (run && steps) fail('run', 'absent when `steps` is given (a job is atomic with run, or composite with steps)')
  if (!run && !steps) fail('run', 'a function, or `steps` an array (a job needs something to do)')
  const inferred = steps ? 'composite' : 'atomic'
  if (kind !== undefined && kind !== inferred) fail('kind', `"${inferred}" for a job with ${steps ? 'steps' : 'run'}`)
  if (!isObject(meta)) fail('meta', 'an object')
  if (meta.desc !== undefined && typeof meta.desc !== 'string') fail('meta.desc', 'a string')
  if (meta.schedule !== undefined && (typeof meta.schedule !== 'string' || meta.schedule.trim() === '')) fail('meta.schedule', 'a cron expression string')
  if (meta.timezone !== undefined && typeof meta.timezone !== 'string') fail('meta.timezone', 'an IANA time zone like "Europe/Paris"')
  if (meta.tags !== undefined && !isStringArray(meta.tags)) fail('meta.tags', 'an array of strings')
  if (on !== undefined) validateTriggers(on, fail)
  if (validate !== undefined && typeof validate !== 'function') fail('validate', 'a function')
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) fail('timeout', 'a positive number of milliseconds')
  if (env !== undefined && !(isObject(env) && Object.values(env).every(value => typeof value === 'string'))) fail('env', 'an object of string values')
  return { ...definition, kind: inferred, meta }
}

function validateTriggers(on: NonNullable<JobDefinition['on']>, fail: (field: string, expected: string) => never): void {
  if (!isObject(on)) fail('on', 'an object like { commit: true }')
  for (const key of Object.keys(on)) {
    if (key !== 'commit' && key !== 'tag') fail(`on.${key}`, 'one of on.commit, on.tag')
  }
  const { commit, tag } = on
  if (commit !== undefined && commit !== true) {
    if (!isObject(commit)) fail('on.commit', 'true or an object { branches?, paths?, message? }')
    const filter = commit as Record<string, unknown>
    for (const key of Object.keys(filter)) {
      if (!['branches', 'paths', 'message'].includes(key)) fail(`on.commit.${key}`, 'one of branches, paths, message')
    }
    if (filter.branches !== undefined && !isGlobs(filter.branches)) fail('on.commit.branches', 'a glob or an array of globs')
    if (filter.paths !== undefined && !isGlobs(filter.paths)) fail('on.commit.paths', 'a glob or an array of globs')
    if (filter.message !== undefined) {
      if (typeof filter.message !== 'string') fail('on.commit.message', 'a regular expression source string')
      try {
        new RegExp(filter.message as string)
      } catch (error) {
        fail('on.commit.message', `a valid regular expression (${(error as Error).message})`)
      }
    }
  }
  if (tag !== undefined && !isGlobs(tag)) fail('on.tag', 'a glob or an array of globs')
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string')
}

function isGlobs(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (isStringArray(value) && value.length > 0)
}
