import { describe, expect, it } from 'vitest'
import { createLLMClient } from '../../src/llm'
import { startFakeOllama } from './fixtures/fake-ollama'

const MODEL = 'llama3.2:latest'

describe('ollama provider', () => {
  it('generates through /api/generate with temperature, seed and system', async () => {
    const server = await startFakeOllama()
    const client = createLLMClient({ model: MODEL, baseURL: server.url })
    const response = await client.generate({ prompt: 'hello', system: 'be brief', options: { num_ctx: 2048 } })

    expect(response).toMatchObject({ text: 'echo: hello', model: MODEL, provider: 'ollama', finishReason: 'stop', usage: { promptTokens: 7, completionTokens: 2, totalTokens: 9 } })
    expect(response.durationMs).toBeGreaterThanOrEqual(0)
    expect(response.raw).toMatchObject({ done: true, eval_count: 2 })
    expect(response.raw).not.toHaveProperty('context')
    const [request] = server.requests
    expect(request).toMatchObject({ method: 'POST', path: '/api/generate' })
    expect(request!.body).toEqual({ model: MODEL, prompt: 'hello', system: 'be brief', stream: false, options: { temperature: 0, seed: 42, num_ctx: 2048 } })
  })

  it('chats through /api/chat with the system prompt as the first message', async () => {
    const server = await startFakeOllama()
    const client = createLLMClient({ model: MODEL, baseURL: server.url, temperature: 0.7, seed: 1 })
    const response = await client.chat([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yes?' }, { role: 'user', content: 'again' }], { system: 'sys', seed: 7 })

    expect(response.text).toBe('echo: again')
    expect(server.requests[0]!.path).toBe('/api/chat')
    expect(server.requests[0]!.body).toEqual({
      model: MODEL,
      messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'yes?' }, { role: 'user', content: 'again' }],
      stream: false,
      options: { temperature: 0.7, seed: 7 },
    })
  })

  it('streams NDJSON: tokens reach the callback and the full text is returned', async () => {
    const server = await startFakeOllama({ answer: () => 'one two three' })
    const client = createLLMClient({ model: MODEL, baseURL: server.url })
    const generated: string[] = []
    const chatted: string[] = []

    const response = await client.generate({ prompt: 'count', onToken: token => generated.push(token) })
    const chat = await client.chat([{ role: 'user', content: 'count' }], { onToken: token => chatted.push(token) })

    expect(generated).toEqual(['one ', 'two ', 'three'])
    expect(chatted).toEqual(['one ', 'two ', 'three'])
    expect(response).toMatchObject({ text: 'one two three', finishReason: 'stop', usage: { completionTokens: 3 } })
    expect(chat.text).toBe('one two three')
    expect(server.requests.map(request => request.body.stream)).toEqual([true, true])
  })

  it('sends format "json" in JSON mode and the schema for structured output', async () => {
    const server = await startFakeOllama({ answer: () => '{"ok":true}' })
    const client = createLLMClient({ model: MODEL, baseURL: server.url })
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }

    await client.generate({ prompt: 'x', json: true })
    await client.json('x', schema)

    expect(server.requests.map(request => request.body.format)).toEqual(['json', schema])
  })

  it('lists models from /api/tags', async () => {
    const server = await startFakeOllama({ models: ['a:latest', 'b:7b'] })
    const client = createLLMClient({ baseURL: server.url })

    expect(await client.listModels()).toEqual(['a:latest', 'b:7b'])
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/api/tags' })
  })

  it('names the missing model and how to get it', async () => {
    const server = await startFakeOllama()
    const client = createLLMClient({ model: 'nope', baseURL: server.url, maxRetries: 0 })

    await expect(client.generate('hi')).rejects.toMatchObject({
      name: 'LLMError',
      code: 'model-not-found',
      status: 404,
      retryable: false,
      provider: 'ollama',
      model: 'nope',
      url: `${server.url}/api/generate`,
      message: `model "nope" not found on ollama at ${server.url}: pull it or set llm.model`,
    })
  })

  it('reports an error line in the middle of a stream', async () => {
    const server = await startFakeOllama()
    server.queue((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' })
      response.end('{"response":"par","done":false}\n{"error":"out of memory"}\n')
    })
    const client = createLLMClient({ model: MODEL, baseURL: server.url })

    await expect(client.generate({ prompt: 'x', onToken: () => {} })).rejects.toMatchObject({
      code: 'http',
      message: `ollama at ${server.url}/api/generate reported an error: out of memory`,
    })
  })

  it('rejects a body without the answer text as malformed', async () => {
    const server = await startFakeOllama()
    server.queue((_request, response) => {
      response.end(JSON.stringify({ model: MODEL, done: false }))
    })
    const client = createLLMClient({ model: MODEL, baseURL: server.url })

    await expect(client.generate('x')).rejects.toMatchObject({
      code: 'malformed-response',
      message: `ollama at ${server.url}/api/generate returned a body without the answer text`,
    })
  })
})
