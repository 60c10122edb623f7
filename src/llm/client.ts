import { defu } from 'defu'
import type {
  JSONSchema,
  LLMCallOptions,
  LLMChatRequest,
  LLMClient,
  LLMClientDeps,
  LLMConfig,
  LLMGenerateInput,
  LLMGenerateRequest,
  LLMMessage,
  LLMProviderContext,
  LLMResponse,
} from '../types/llm'
import { llmCacheKey } from './cache-key'
import { llmDefaults } from './defaults'
import { LLMError, safeURL } from './error'
import { parseJSONAnswer } from './json'
import { llmLogger } from './log'
import { redactError, redactSecret } from './redact'
import { createLLMRegistry } from './registry'
import { withRetries } from './retry'
import { isPlainObject } from '../utils/messages'
import { describeValue } from '../utils/describe'
import { checkCallOptions, checkConfig, checkMessages, checkPrompt, readApiKey } from './validate'

/** How json() words each problem; `who` is `<provider> model "<model>"`. */
const JSON_PROBLEMS = {
  'invalid-json': { code: 'invalid-json', message: (who: string, reason: string) => `${who} answered with invalid JSON: ${reason}` },
  'schema-mismatch': { code: 'schema-mismatch', message: (who: string, reason: string) => `${who} answered with JSON that does not match the schema ${reason}` },
  'bad-schema': { code: 'config', message: (_who: string, reason: string) => `json schema cannot be used: ${reason}` },
} as const

/** How long and how often one call may try. */
interface Limits {
  timeout: number
  maxRetries: number
  signal?: AbortSignal
}

/**
 * A client bound to one provider and config. Config problems, an unknown provider and an unset API key
 * variable fail here, before any call.
 */
export function createLLMClient(config: LLMConfig = {}, deps: LLMClientDeps = {}): LLMClient {
  checkConfig(config)
  const settings = defu(config, llmDefaults)
  const provider = (deps.registry ?? createLLMRegistry()).get(settings.provider)
  const apiKey = readApiKey(provider.name, settings.apiKeyEnv, deps.env ?? process.env)
  const baseURL = settings.baseURL ?? provider.defaultBaseURL ?? ''
  const fetch = deps.fetch ?? globalThis.fetch
  /** ` at <url>` for messages; plugin providers may have no URL at all. */
  const where = baseURL ? ` at ${safeURL(baseURL)}` : ''

  function fail(message: string): LLMError {
    return new LLMError({ code: 'config', provider: provider.name, message })
  }

  /** The request a call sends: per-call options over the config over the defaults. */
  function resolve(input: string | LLMMessage[], options: LLMCallOptions): LLMGenerateRequest | LLMChatRequest {
    checkCallOptions(options)
    const model = options.model ?? settings.model
    if (!model) throw fail('llm.model is not set: set it in the config or pass { model } to the call')
    const request = {
      model,
      system: options.system,
      temperature: options.temperature ?? settings.temperature,
      seed: options.seed ?? settings.seed,
      json: options.json,
      options: options.options,
      onToken: options.onToken,
    }
    if (!Array.isArray(input)) {
      checkPrompt(input)
      return { ...request, prompt: input }
    }
    checkMessages(input)
    return { ...request, messages: input }
  }

  function limitsOf(options: LLMCallOptions): Limits {
    return { timeout: options.timeout ?? settings.timeout, maxRetries: options.maxRetries ?? settings.maxRetries, signal: options.signal }
  }

  /** Run `run` under one timeout covering every retry; errors come out as `LLMError`s without the key. */
  async function guarded<T>(model: string | undefined, limits: Limits, run: (context: LLMProviderContext) => Promise<T>, streamed = () => false): Promise<T> {
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(), limits.timeout)
    const signal = limits.signal ? AbortSignal.any([deadline.signal, limits.signal]) : deadline.signal
    const context: LLMProviderContext = { baseURL, apiKey, signal, fetch }
    try {
      return await withRetries(() => run(context), {
        maxRetries: limits.maxRetries,
        retryDelay: settings.retryDelay,
        maxRetryDelay: settings.maxRetryDelay,
        signal,
        // Once tokens reached the caller a retry would repeat them.
        canRetry: error => error instanceof LLMError && error.retryable && !streamed(),
        onRetry(info) {
          const error = redactError(info.error as LLMError, apiKey)
          llmLogger.warn(`${error.message}; retry ${info.attempt}/${limits.maxRetries} in ${info.delayMs} ms`)
          deps.onRetry?.({ ...info, error })
        },
      })
    } catch (error) {
      throw finalError(error, model, limits, deadline.signal.aborted)
    } finally {
      clearTimeout(timer)
    }
  }

  function finalError(error: unknown, model: string | undefined, limits: Limits, timedOut: boolean): LLMError {
    const url = error instanceof LLMError && error.url ? error.url : baseURL
    if (timedOut) {
      return new LLMError({ code: 'timeout', provider: provider.name, url, model, message: `${provider.name}${where} timed out after ${limits.timeout} ms` })
    }
    if (limits.signal?.aborted) {
      return new LLMError({ code: 'aborted', provider: provider.name, url, model, message: `${provider.name} call${where} was aborted` })
    }
    if (error instanceof LLMError) return redactError(error, apiKey)
    // A plugin provider that threw something else.
    const message = redactSecret((error as Error)?.message ?? String(error), apiKey)
    return new LLMError({ code: 'provider', provider: provider.name, url, model, message: `${provider.name} failed: ${message}` })
  }

  async function complete(request: LLMGenerateRequest | LLMChatRequest, limits: Limits): Promise<LLMResponse> {
    const started = Date.now()
    const { onToken } = request
    // Once the caller got tokens a retry would repeat them; an error its callback throws goes back to it unwrapped.
    let streamed = false
    let callbackFailure: { error: unknown } | undefined
    const sent = { ...request, onToken: onToken && ((text: string) => {
      streamed = true
      try {
        onToken(text)
      } catch (error) {
        callbackFailure = { error }
        throw error
      }
    }) }
    llmLogger.debug(`${provider.name} ${request.model}${where}${onToken ? ' (streaming)' : ''}`)
    try {
      const response = await guarded(request.model, limits, context => 'prompt' in sent ? provider.generate(sent, context) : provider.chat(sent, context), () => streamed)
      return redactSecret({ ...response, durationMs: Date.now() - started }, apiKey)
    } catch (error) {
      throw callbackFailure ? callbackFailure.error : error
    }
  }

  const client: LLMClient = {
    async generate(input: string | LLMGenerateInput) {
      const { prompt, ...options } = (isPlainObject(input) ? input : { prompt: input }) as LLMGenerateInput
      return complete(resolve(prompt, options), limitsOf(options))
    },
    async chat(messages, options = {}) {
      checkMessages(messages)
      return complete(resolve(messages, options), limitsOf(options))
    },
    async json<T = unknown>(input: string | LLMMessage[], schema: JSONSchema, options: LLMCallOptions = {}) {
      if (!isPlainObject(schema)) throw fail(`json schema must be a JSON schema object (got ${describeValue(schema)})`)
      const request = resolve(input, { ...options, json: schema })
      const response = await complete(request, limitsOf(options))
      const answer = parseJSONAnswer(response.text, schema)
      if (answer.ok) return { ...response, data: answer.value as T }
      const { code, message } = JSON_PROBLEMS[answer.problem]
      throw new LLMError({ code, provider: provider.name, url: baseURL, model: request.model, message: message(`${provider.name} model "${request.model}"`, answer.reason) })
    },
    async listModels(options = {}) {
      checkCallOptions(options)
      const listModels = provider.listModels?.bind(provider)
      if (!listModels) throw fail(`LLM provider "${provider.name}" cannot list models`)
      return redactSecret(await guarded(undefined, limitsOf(options), listModels), apiKey)
    },
    cacheKey(input, options = {}) {
      return llmCacheKey({ provider: provider.name, ...resolve(input, options) })
    },
  }
  return client
}
