import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LogObject } from 'consola'
import { createLLMClient, llmLogger } from '../../src/llm'
import { llmErrorOf } from './fixtures/errors'
import { startFakeOpenAI } from './fixtures/fake-openai'
import { replies } from './fixtures/server'

const KEY = 'sk-test-0123456789abcdef'
const env = { TEST_OPENAI_KEY: KEY }

function client(url: string, extra: Record<string, unknown> = {}) {
  return createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${url}/v1`, apiKeyEnv: 'TEST_OPENAI_KEY', retryDelay: 1, ...extra }, { env })
}

describe('openai provider', () => {
  it('generates as one user message with temperature and seed, and reads usage', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY })
    const response = await client(server.url).generate('hello')

    expect(response).toMatchObject({ text: 'echo: hello', model: 'gpt-test-2025', provider: 'openai', finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 } })
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(server.requests[0]!.body).toEqual({ model: 'gpt-test', messages: [{ role: 'user', content: 'hello' }], temperature: 0, seed: 42, stream: false })
  })

  it('chats with the system prompt first and extra options in the body', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY })
    const response = await client(server.url).chat([{ role: 'user', content: 'hi' }], { system: 'sys', temperature: 1.2, options: { max_tokens: 5 } })

    expect(response.text).toBe('echo: hi')
    expect(server.requests[0]!.body).toMatchObject({ messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }], temperature: 1.2, max_tokens: 5 })
  })

  it('streams SSE: tokens reach the callback, the full text and usage are returned', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY, answer: () => 'alpha beta gamma' })
    const seen: string[] = []
    const response = await client(server.url).generate({ prompt: 'go', onToken: token => seen.push(token) })

    expect(seen).toEqual(['alpha ', 'beta ', 'gamma'])
    expect(response).toMatchObject({ text: 'alpha beta gamma', finishReason: 'stop', usage: { completionTokens: 3, totalTokens: 12 } })
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
  })

  it('asks for json_object in JSON mode and json_schema with a schema', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY, answer: () => '{"n":1}' })
    const schema = { type: 'object', properties: { n: { type: 'number' } } }
    await client(server.url).generate({ prompt: 'x', json: true })
    await client(server.url).json('x', schema)

    expect(server.requests.map(request => request.body.response_format)).toEqual([
      { type: 'json_object' },
      { type: 'json_schema', json_schema: { name: 'response', schema } },
    ])
  })

  it('lists models from /models', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY, models: ['gpt-a', 'gpt-b'] })
    expect(await client(server.url).listModels()).toEqual(['gpt-a', 'gpt-b'])
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' })
  })

  it('names a model the server does not have', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY })
    await expect(client(server.url, { model: 'gpt-missing' }).generate('x')).rejects.toMatchObject({
      code: 'model-not-found',
      message: `model "gpt-missing" not found on openai at ${server.url}/v1: check llm.model`,
    })
  })

  it('sends no Authorization header without apiKeyEnv', async () => {
    const server = await startFakeOpenAI()
    await createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1` }, { env: {} }).generate('x')
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
  })
})

describe('the API key', () => {
  const logs: LogObject[] = []
  const level = llmLogger.level
  beforeEach(() => {
    llmLogger.level = 5
    llmLogger.setReporters([{ log: entry => logs.push(entry) }])
  })
  afterEach(() => {
    llmLogger.level = level
    logs.length = 0
  })

  it('is sent only as the bearer token and appears nowhere else', async () => {
    const server = await startFakeOpenAI({ apiKey: KEY, answer: () => '{"ok":true}' })
    server.queue(replies.status(503, { error: { message: 'busy' } }))
    const retries: string[] = []
    const llm = createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1`, apiKeyEnv: 'TEST_OPENAI_KEY', retryDelay: 1 }, { env, onRetry: info => retries.push(info.error.message) })

    const results = [
      await llm.generate('a'),
      await llm.chat([{ role: 'user', content: 'b' }], { onToken: () => {} }),
      await llm.json('c', { type: 'object' }),
      await llm.listModels(),
    ]

    expect(server.requests.map(request => request.headers.authorization)).toEqual(Array.from({length: server.requests.length}).fill(`Bearer ${KEY}`))
    for (const request of server.requests) {
      expect(request.rawBody).not.toContain(KEY)
      expect(request.path).not.toContain(KEY)
    }
    expect(retries).toEqual([`openai at ${server.url}/v1/chat/completions returned HTTP 503 Service Unavailable: busy`])
    expect(logs.length).toBeGreaterThan(0)
    expect(JSON.stringify({ results, retries, logs })).not.toContain(KEY)
  })

  it('is redacted from errors even when the server echoes it', async () => {
    const server = await startFakeOpenAI({ apiKey: 'another-key' })
    const error = await llmErrorOf(client(server.url).generate('x'))

    expect(error).toMatchObject({ code: 'http', status: 401, retryable: false })
    expect(error.message).toBe(`openai at ${server.url}/v1/chat/completions returned HTTP 401 Unauthorized: Incorrect API key provided: Bearer [redacted]`)
    expect(JSON.stringify({ error, stack: error.stack, logs })).not.toContain(KEY)
  })
})
