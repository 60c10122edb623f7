import type { LLMCallOptions, LLMConfig, LLMMessage } from '../types/llm'
import { describeValue } from '../utils/describe'
import { isPlainObject } from '../utils/messages'
import { type Problem, type Rule, arrayOf, every, is, keyPath, object, oneOf, optional, secret } from '../utils/rules'
import { LLMError } from './error'

const nonEmptyString = is(value => typeof value === 'string' && value.trim() !== '', 'a non-empty string')
const nonNegative = is(value => isFiniteNumber(value) && value >= 0, 'a number >= 0')
/** Node fires longer timers at once (with a warning), so a huge timeout would end every call immediately. */
const MAX_TIMER_MS = 2_147_483_647
const milliseconds = (min: number) => is(value => isFiniteNumber(value) && value >= min && value <= MAX_TIMER_MS, `a number of milliseconds from ${min} to ${MAX_TIMER_MS}`)

/**
 * The rule of each LLM setting, also used by the config's `llm` section. `baseURL` and `apiKeyEnv` may hold a
 * secret put in the wrong place, so their values are never echoed back.
 */
export const llmConfigRules: Record<keyof LLMConfig, Rule> = {
  provider: optional(nonEmptyString),
  model: optional(nonEmptyString),
  baseURL: optional(secret(is(isHttpURLWithoutCredentials, 'an http(s) URL without credentials (put the key in the variable named by llm.apiKeyEnv)'))),
  apiKeyEnv: optional(secret(is(value => typeof value === 'string' && /^[A-Z_]\w*$/i.test(value), 'the name of an environment variable (like OPENAI_API_KEY), not the key itself'))),
  temperature: optional(nonNegative),
  seed: optional(is(Number.isSafeInteger, 'an integer')),
  timeout: optional(milliseconds(1)),
  maxRetries: optional(is(value => Number.isSafeInteger(value) && value >= 0, 'an integer >= 0')),
  retryDelay: optional(milliseconds(0)),
  maxRetryDelay: optional(milliseconds(0)),
}

/** Keys it does not know are left to whoever added them (the config's `cache`). */
const configRule = object(llmConfigRules, { expected: 'an object' })

const { model, temperature, seed, timeout, maxRetries } = llmConfigRules
const callRules: Record<keyof LLMCallOptions, Rule> = {
  model,
  temperature,
  seed,
  timeout,
  maxRetries,
  system: optional(is(value => typeof value === 'string', 'a string')),
  json: optional(is(value => value === true || isPlainObject(value), 'true or a JSON schema object')),
  options: optional(is(isPlainObject, 'a plain object')),
  onToken: optional(is(value => typeof value === 'function', 'a function')),
  signal: optional(is(value => value instanceof AbortSignal, 'an AbortSignal')),
}
/** Unknown keys are errors, since they would be silently ignored (e.g. `provider`); their values are not shown. */
const callRule = object(callRules, { expected: 'an object', unknownKey: 'a known call option' })

const MESSAGES = 'a non-empty array of { role, content }'
const messagesRule = every(
  is(value => Array.isArray(value) && value.length > 0, MESSAGES),
  arrayOf(object({
    role: oneOf(['system', 'user', 'assistant']),
    content: is(value => typeof value === 'string', 'a string'),
  }, { expected: 'an object with role and content' }), MESSAGES),
)

/** Check the `llm` config section. */
export function checkConfig(config: LLMConfig): void {
  const problem = configRule(config)
  if (problem) throw configError(problem.keys.length === 0 ? 'llm config' : `llm.${keyPath(problem.keys)}`, problem)
}

/** Check per-call options. */
export function checkCallOptions(options: LLMCallOptions): void {
  const problem = callRule(options)
  if (!problem) return
  const [key] = problem.keys
  if (typeof key === 'string' && !Object.hasOwn(callRules, key)) {
    const known = Object.keys(callRules).join(', ')
    throw new LLMError({ code: 'config', provider: '', message: `unknown call option "${key}": use ${known} (provider, baseURL and apiKeyEnv are set per client)` })
  }
  throw configError(key === undefined ? 'call options' : `call option "${key}"`, problem)
}

export function checkPrompt(prompt: unknown): asserts prompt is string {
  const problem = nonEmptyString(prompt)
  if (problem) throw configError('prompt', problem)
}

export function checkMessages(messages: unknown): asserts messages is LLMMessage[] {
  const problem = messagesRule(messages)
  if (problem) throw configError(`messages${keyPath(problem.keys)}`, problem)
}

/** The API key from the variable `apiKeyEnv` names; a named but unset variable is an error, not a silent anonymous call. */
export function readApiKey(provider: string, apiKeyEnv: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (apiKeyEnv === undefined) return undefined
  const key = env[apiKeyEnv]
  if (!key) throw new LLMError({ code: 'config', provider, message: `llm.apiKeyEnv names ${apiKeyEnv}, which is not set in the environment` })
  return key
}

function configError(label: string, { message, value, secret }: Problem): LLMError {
  return new LLMError({ code: 'config', provider: '', message: `${label} must be ${message}${secret ? '' : ` (got ${describeValue(value)})`}` })
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function isHttpURLWithoutCredentials(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password
  } catch {
    return false
  }
}
