import type { LLMCallOptions, LLMConfig, LLMMessage } from '../types/llm'
import { LLMError } from './error'
import { isPlainObject } from '../utils/messages'

type Rule = [test: (value: unknown) => boolean, expected: string]

const nonEmptyString: Rule = [value => typeof value === 'string' && value.trim() !== '', 'a non-empty string']
const nonNegative: Rule = [value => isFiniteNumber(value) && value >= 0, 'a number >= 0']
/** Node fires longer timers at once (with a warning), so a huge timeout would end every call immediately. */
const MAX_TIMER_MS = 2_147_483_647
const milliseconds = (min: number): Rule => [value => isFiniteNumber(value) && value >= min && value <= MAX_TIMER_MS, `a number of milliseconds from ${min} to ${MAX_TIMER_MS}`]

const CONFIG_RULES: Record<keyof LLMConfig, Rule> = {
  provider: nonEmptyString,
  model: nonEmptyString,
  baseURL: [isHttpURLWithoutCredentials, 'an http(s) URL without credentials (put the key in the variable named by llm.apiKeyEnv)'],
  apiKeyEnv: [value => typeof value === 'string' && /^[A-Z_]\w*$/i.test(value), 'the name of an environment variable (like OPENAI_API_KEY), not the key itself'],
  temperature: nonNegative,
  seed: [Number.isSafeInteger, 'an integer'],
  timeout: milliseconds(1),
  maxRetries: [value => Number.isSafeInteger(value) && (value as number) >= 0, 'an integer >= 0'],
  retryDelay: milliseconds(0),
  maxRetryDelay: milliseconds(0),
}

const CALL_RULES: Record<keyof LLMCallOptions, Rule> = {
  model: CONFIG_RULES.model,
  temperature: CONFIG_RULES.temperature,
  seed: CONFIG_RULES.seed,
  timeout: CONFIG_RULES.timeout,
  maxRetries: CONFIG_RULES.maxRetries,
  system: [value => typeof value === 'string', 'a string'],
  json: [value => value === true || isPlainObject(value), 'true or a JSON schema object'],
  options: [isPlainObject, 'a plain object'],
  onToken: [value => typeof value === 'function', 'a function'],
  signal: [value => value instanceof AbortSignal, 'an AbortSignal'],
}

/** Values that may be a secret are never echoed back in an error. */
const NOT_SHOWN = new Set(['apiKeyEnv', 'baseURL'])

/** Check the `llm` config section; keys it does not know are left to whoever added them. */
export function checkConfig(config: LLMConfig): void {
  if (!isPlainObject(config)) throw configError('llm config', 'an object', config)
  for (const [key, rule] of Object.entries(CONFIG_RULES)) check(`llm.${key}`, rule, (config as Record<string, unknown>)[key], NOT_SHOWN.has(key))
}

/** Check per-call options; unknown keys are errors, since they would be silently ignored (e.g. `provider`). */
export function checkCallOptions(options: LLMCallOptions): void {
  if (!isPlainObject(options)) throw configError('call options', 'an object', options)
  for (const [key, value] of Object.entries(options)) {
    const rule = CALL_RULES[key as keyof LLMCallOptions]
    if (!rule) {
      const known = Object.keys(CALL_RULES).join(', ')
      throw new LLMError({ code: 'config', provider: '', message: `unknown call option "${key}": use ${known} (provider, baseURL and apiKeyEnv are set per client)` })
    }
    check(`call option "${key}"`, rule, value, false)
  }
}

export function checkPrompt(prompt: unknown): asserts prompt is string {
  if (typeof prompt !== 'string' || !prompt.trim()) throw configError('prompt', 'a non-empty string', prompt)
}

const ROLES = new Set(['system', 'user', 'assistant'])

export function checkMessages(messages: unknown): asserts messages is LLMMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) throw configError('messages', 'a non-empty array of { role, content }', messages)
  messages.forEach((message, index) => {
    if (!isPlainObject(message)) throw configError(`messages[${index}]`, 'an object with role and content', message)
    if (!ROLES.has(message.role as string)) throw configError(`messages[${index}].role`, '"system", "user" or "assistant"', message.role)
    if (typeof message.content !== 'string') throw configError(`messages[${index}].content`, 'a string', message.content)
  })
}

/** The API key from the variable `apiKeyEnv` names; a named but unset variable is an error, not a silent anonymous call. */
export function readApiKey(provider: string, apiKeyEnv: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (apiKeyEnv === undefined) return undefined
  const key = env[apiKeyEnv]
  if (!key) throw new LLMError({ code: 'config', provider, message: `llm.apiKeyEnv names ${apiKeyEnv}, which is not set in the environment` })
  return key
}

function check(label: string, [test, expected]: Rule, value: unknown, hideValue: boolean): void {
  if (value !== undefined && !test(value)) throw configError(label, expected, value, hideValue)
}

function configError(label: string, expected: string, value: unknown, hideValue = false): LLMError {
  const got = hideValue ? '' : ` (got ${show(value)})`
  return new LLMError({ code: 'config', provider: '', message: `${label} must be ${expected}${got}` })
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  // NaN and Infinity would print as null.
  if (typeof value === 'number') return String(value)
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
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
