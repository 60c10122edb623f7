import type { GitVanContext } from '../types/context'
import type { JSONSchema, LLMCallOptions, LLMConfig, LLMJSONResponse, LLMMessage, LLMResponse } from '../types/llm'
import { readCachedResponse, writeCachedResponse } from './cache'
import { createLLMClient } from './client'
import { LLMError } from './error'
import { parseJSONAnswer } from './json'
import { definedValues } from '../utils/object'

/** What a job (through `useLLM()` or an `llm` step) may choose per use, over the config's `llm` section. */
export interface LLMUseOptions extends Pick<LLMConfig, 'provider' | 'model' | 'baseURL'> {
  /** Replay a stored response for the same request instead of calling the model (default `llm.cache`). */
  cache?: boolean
}

export type CachedLLMResponse = LLMResponse & { cached: boolean }

export interface ContextLLM {
  generate: (prompt: string, options?: LLMCallOptions) => Promise<CachedLLMResponse>
  chat: (messages: LLMMessage[], options?: LLMCallOptions) => Promise<CachedLLMResponse>
  json: <T = unknown>(input: string | LLMMessage[], schema: JSONSchema, options?: LLMCallOptions) => Promise<LLMJSONResponse<T> & { cached: boolean }>
}

/**
 * The LLM of a run: the config's `llm` section with `use` on top, the app's providers (plugins add theirs), the
 * run's abort signal, and the Git cache. The API key is read from the variable `apiKeyEnv` names in GitVan's
 * own environment, never from the job's.
 */
export function llmFor(ctx: GitVanContext, use: LLMUseOptions = {}): ContextLLM {
  const { cache: cacheByDefault, ...config } = ctx.config.llm
  const client = createLLMClient({ ...config, ...definedValues({ provider: use.provider, model: use.model, baseURL: use.baseURL }) }, { registry: ctx.app.llmProviders })
  const caching = use.cache ?? cacheByDefault
  const withSignal = (options: LLMCallOptions = {}) => ({ ...options, signal: options.signal ?? ctx.signal })

  async function cached(input: string | LLMMessage[], options: LLMCallOptions, call: () => Promise<LLMResponse>): Promise<CachedLLMResponse> {
    if (!caching) return { ...(await named(call)), cached: false }
    const key = client.cacheKey(input, options)
    const hit = await readCachedResponse(ctx.app.refs, key)
    if (hit) return { text: hit.text, model: hit.model, provider: hit.provider, usage: hit.usage, finishReason: hit.finishReason, durationMs: 0, cached: true }
    const response = await named(call)
    await writeCachedResponse(ctx.app.refs, key, response, ctx.now())
    return { ...response, cached: false }
  }

  return {
    generate: (prompt, options) => {
      const call = withSignal(options)
      return cached(prompt, call, () => client.generate({ ...call, prompt }))
    },
    chat: (messages, options) => {
      const call = withSignal(options)
      return cached(messages, call, () => client.chat(messages, call))
    },
    json: async <T>(input: string | LLMMessage[], schema: JSONSchema, options?: LLMCallOptions) => {
      const call = { ...withSignal(options), json: schema }
      const response = await cached(input, call, () => client.json(input, schema, call))
      // A replayed answer is checked again: the schema may have changed since it was stored.
      const answer = parseJSONAnswer(response.text, schema)
      if (!answer.ok) throw new LLMError({ code: answer.problem === 'invalid-json' ? 'invalid-json' : 'schema-mismatch', provider: response.provider, model: response.model, message: `${response.provider} answer for ${response.model}: ${answer.reason}` })
      return { ...response, data: answer.value as T }
    },
  }
}

/** A run's failure says which model it asked, besides the provider and URL the LLM layer names. */
async function named<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (!(error instanceof LLMError) || !error.model || error.message.includes(error.model)) throw error
    throw new LLMError({ code: error.code, provider: error.provider, url: error.url, model: error.model, status: error.status, retryable: error.retryable, message: `${error.message} (model ${error.model})` })
  }
}
