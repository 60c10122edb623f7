import { describe, expect, it } from 'vitest'
import type { LLMClient, LLMConfig } from '../../src/llm'
import { configDefaults } from '../../src/config/defaults'
import { createLLMClient, LLMError } from '../../src/llm'
import { llmErrorOf } from './fixtures/errors'
import { startFakeOllama } from './fixtures/fake-ollama'

function configError(config: unknown, env: Record<string, string> = {}): LLMError {
  try {
    createLLMClient(config as LLMConfig, { env })
  } catch (error) {
    expect(error).toBeInstanceOf(LLMError)
    expect((error as LLMError).message).not.toContain('\n')
    return error as LLMError
  }
  throw new Error('expected createLLMClient to throw')
}

describe('config checks at createLLMClient', () => {
  it.each([
    ['not an object', 'ollama', 'llm config must be an object (got "ollama")'],
    ['empty provider', { provider: '' }, 'llm.provider must be a non-empty string (got "")'],
    ['unknown provider', { provider: 'claude' }, 'unknown LLM provider "claude": known providers are ollama, openai'],
    ['model not a string', { model: 5 }, 'llm.model must be a non-empty string (got 5)'],
    ['baseURL without protocol', { baseURL: 'localhost:11434' }, 'llm.baseURL must be an http(s) URL without credentials (put the key in the variable named by llm.apiKeyEnv)'],
    ['negative temperature', { temperature: -1 }, 'llm.temperature must be a number >= 0 (got -1)'],
    ['temperature as text', { temperature: 'hot' }, 'llm.temperature must be a number >= 0 (got "hot")'],
    ['fractional seed', { seed: 1.5 }, 'llm.seed must be an integer (got 1.5)'],
    ['zero timeout', { timeout: 0 }, 'llm.timeout must be a number of milliseconds from 1 to 2147483647 (got 0)'],
    ['timeout too long for a timer', { timeout: 1e12 }, 'llm.timeout must be a number of milliseconds from 1 to 2147483647 (got 1000000000000)'],
    ['negative maxRetries', { maxRetries: -1 }, 'llm.maxRetries must be an integer >= 0 (got -1)'],
    ['NaN retryDelay', { retryDelay: Number.NaN }, 'llm.retryDelay must be a number of milliseconds from 0 to 2147483647 (got NaN)'],
    ['negative maxRetryDelay', { maxRetryDelay: -5 }, 'llm.maxRetryDelay must be a number of milliseconds from 0 to 2147483647 (got -5)'],
    ['apiKeyEnv naming an unset variable', { apiKeyEnv: 'MISSING_KEY' }, 'llm.apiKeyEnv names MISSING_KEY, which is not set in the environment'],
  ])('%s', (_case, config, message) => {
    expect(configError(config).message).toBe(message)
  })

  it('never echoes what may be a secret: a key put in apiKeyEnv, credentials in baseURL', () => {
    const key = configError({ apiKeyEnv: 'sk-live-abc123' })
    expect(key.message).toBe('llm.apiKeyEnv must be the name of an environment variable (like OPENAI_API_KEY), not the key itself')
    const credentials = configError({ baseURL: 'http://user:hunter2@127.0.0.1:11434' })
    expect(credentials.message).not.toContain('hunter2')
  })

  it('accepts the resolved `llm` config section as it is (extra keys like `cache` are left alone)', () => {
    const llm = createLLMClient({ ...configDefaults.llm, model: 'm' })
    expect(llm.cacheKey('p')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('treats an empty variable as unset', () => {
    expect(configError({ apiKeyEnv: 'EMPTY_KEY' }, { EMPTY_KEY: '' }).message).toBe('llm.apiKeyEnv names EMPTY_KEY, which is not set in the environment')
  })
})

describe('input checks at call time (nothing is sent)', () => {
  async function rejection(call: (llm: LLMClient) => Promise<unknown>, config: LLMConfig = { model: 'llama3.2:latest' }): Promise<LLMError> {
    const server = await startFakeOllama()
    const error = await llmErrorOf(call(createLLMClient({ ...config, baseURL: server.url })))
    expect(server.requests).toHaveLength(0)
    return error
  }

  it.each<[string, (llm: LLMClient) => Promise<unknown>, string]>([
    ['empty prompt', llm => llm.generate(''), 'prompt must be a non-empty string (got "")'],
    ['prompt not a string', llm => llm.generate(42 as never), 'prompt must be a non-empty string (got 42)'],
    ['generate input without a prompt', llm => llm.generate({} as never), 'prompt must be a non-empty string (got undefined)'],
    ['messages not an array', llm => llm.chat('hi' as never), 'messages must be a non-empty array of { role, content } (got "hi")'],
    ['no messages', llm => llm.chat([]), 'messages must be a non-empty array of { role, content } (got an empty array)'],
    ['message not an object', llm => llm.chat(['hi'] as never), 'messages[0] must be an object with role and content (got "hi")'],
    ['unknown role', llm => llm.chat([{ role: 'bot', content: 'x' }] as never), 'messages[0].role must be "system", "user" or "assistant" (got "bot")'],
    ['content not a string', llm => llm.chat([{ role: 'user', content: 'a' }, { role: 'user', content: 1 }] as never), 'messages[1].content must be a string (got 1)'],
    ['bad temperature override', llm => llm.generate({ prompt: 'x', temperature: 'x' as never }), 'call option "temperature" must be a number >= 0 (got "x")'],
    ['bad json option', llm => llm.generate({ prompt: 'x', json: 'yes' as never }), 'call option "json" must be true or a JSON schema object (got "yes")'],
    ['bad onToken', llm => llm.generate({ prompt: 'x', onToken: 1 as never }), 'call option "onToken" must be a function (got 1)'],
    ['bad signal', llm => llm.generate({ prompt: 'x', signal: {} as never }), 'call option "signal" must be an AbortSignal (got an object)'],
    ['extra options not an object', llm => llm.chat([{ role: 'user', content: 'x' }], { options: [] as never }), 'call option "options" must be a plain object (got an empty array)'],
    ['options not an object', llm => llm.chat([{ role: 'user', content: 'x' }], 'fast' as never), 'call options must be an object (got "fast")'],
    ['bad listModels option', llm => llm.listModels({ timeout: -1 }), 'call option "timeout" must be a number of milliseconds from 1 to 2147483647 (got -1)'],
  ])('%s', async (_case, call, message) => {
    expect((await rejection(call)).message).toBe(message)
  })

  it('refuses per-call options the client fixes, without echoing their value', async () => {
    const error = await rejection(llm => llm.generate({ prompt: 'x', provider: 'openai', apiKey: 'sk-secret' } as never))
    expect(error.message).toBe('unknown call option "provider": use model, temperature, seed, timeout, maxRetries, system, json, options, onToken, signal (provider, baseURL and apiKeyEnv are set per client)')
    const key = await rejection(llm => llm.generate({ prompt: 'x', apiKey: 'sk-secret' } as never))
    expect(key.message).not.toContain('sk-secret')
  })

  it('needs a model from the config or the call', async () => {
    const error = await rejection(llm => llm.generate('x'), {})
    expect(error).toMatchObject({ code: 'config', message: 'llm.model is not set: set it in the config or pass { model } to the call' })
  })
})
