import { createHash } from 'node:crypto'
import type { JSONSchema, LLMMessage } from '../types/llm'

/**
 * Everything that decides a model's answer, hence everything in the cache key: provider, model, prompt or
 * messages, system, temperature, seed, json (`true` or the schema) and the extra provider options.
 * Deliberately left out: baseURL and API key (where and as whom it ran), timeout and retries (how long we
 * waited), streaming (the same answer either way).
 */
export interface LLMCacheKeyInput {
  provider: string
  model: string
  prompt?: string
  messages?: LLMMessage[]
  system?: string
  temperature?: number
  seed?: number
  json?: true | JSONSchema
  options?: Record<string, unknown>
}

/** Bump when the keyed fields change, so old cache entries stop matching. */
const KEY_VERSION = 1

/** sha256 (hex) of the canonical JSON of the fields listed on `LLMCacheKeyInput`; pure. */
export function llmCacheKey(request: LLMCacheKeyInput): string {
  const { provider, model, prompt, messages, system, temperature, seed, json, options } = request
  const keyed = { v: KEY_VERSION, provider, model, prompt, messages, system, temperature, seed, json, options }
  return createHash('sha256').update(canonicalJSON(keyed)).digest('hex')
}

/** JSON with object keys sorted at every depth (undefined dropped as usual), so equal requests give equal text. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_key, current: unknown) => {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return current
    const record = current as Record<string, unknown>
    return Object.fromEntries(Object.keys(record).sort().map(key => [key, record[key]]))
  })
}
