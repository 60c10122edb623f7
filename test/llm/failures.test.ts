import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LLMConfig, LLMRetryInfo } from '../../src/llm'
import { createLLMClient, llmLogger } from '../../src/llm'
import { startFakeOllama } from './fixtures/fake-ollama'
import { startFakeOpenAI } from './fixtures/fake-openai'
import { llmErrorOf } from './fixtures/errors'
import { closedPortURL, replies } from './fixtures/server'

const MODEL = 'llama3.2:latest'

// Retries are logged as warnings; the tests check them through onRetry instead.
const level = llmLogger.level
beforeAll(() => {
  llmLogger.level = 0
})
afterAll(() => {
  llmLogger.level = level
})

/** An Ollama client with tiny backoff so retries cost nothing. */
function ollama(baseURL: string, config: LLMConfig = {}, retries: LLMRetryInfo[] = []) {
  return createLLMClient({ model: MODEL, baseURL, retryDelay: 1, maxRetryDelay: 5, ...config }, { onRetry: info => retries.push(info) })
}

describe('timeouts', () => {
  it('ends a slow response with a timeout error', async () => {
    const server = await startFakeOllama()
    server.queue(replies.hang())

    await expect(ollama(server.url, { timeout: 100 }).generate('x')).rejects.toMatchObject({
      code: 'timeout',
      retryable: false,
      url: `${server.url}/api/generate`,
      message: `ollama at ${server.url} timed out after 100 ms`,
    })
  })

  it('ends a stream that stalls, after the first tokens arrived', async () => {
    const server = await startFakeOpenAI({ answer: () => 'a b c d', stallAfterTokens: 2 })
    const seen: string[] = []
    const llm = createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1`, timeout: 150 })

    await expect(llm.generate({ prompt: 'x', onToken: token => seen.push(token) })).rejects.toMatchObject({
      code: 'timeout',
      message: `openai at ${server.url}/v1 timed out after 150 ms`,
    })
    expect(seen).toEqual(['a ', 'b '])
  })

  it('covers the retries too: a long Retry-After does not outlive the timeout', async () => {
    const server = await startFakeOllama()
    server.queue(replies.status(503, { error: 'busy' }, { 'retry-after': '30' }))

    await expect(ollama(server.url, { timeout: 100, maxRetryDelay: 60_000 }).generate('x')).rejects.toMatchObject({ code: 'timeout' })
    expect(server.requests).toHaveLength(1)
  })

  it('stops when the caller aborts', async () => {
    const server = await startFakeOllama()
    server.queue(replies.hang())
    const controller = new AbortController()
    const pending = ollama(server.url).generate({ prompt: 'x', signal: controller.signal })
    controller.abort()

    await expect(pending).rejects.toMatchObject({ code: 'aborted', message: `ollama call at ${server.url} was aborted` })
  })
})

describe('the token callback', () => {
  it('gets its own error back, and the stream is released', async () => {
    const server = await startFakeOllama({ answer: () => 'a b c' })
    const mistake = new RangeError('caller bug')

    await expect(ollama(server.url).generate({ prompt: 'x', onToken: () => { throw mistake } })).rejects.toBe(mistake)
    expect(server.requests).toHaveLength(1)
    // The connection was released: the next call goes through.
    expect((await ollama(server.url).generate('y')).text).toBe('a b c')
  })
})

describe('retries', () => {
  it('retries a 429 and succeeds', async () => {
    const server = await startFakeOllama()
    server.queue(replies.status(429, { error: 'slow down' }))
    const retries: LLMRetryInfo[] = []

    const response = await ollama(server.url, {}, retries).generate('x')

    expect(response.text).toBe('echo: x')
    expect(server.requests).toHaveLength(2)
    expect(retries.map(retry => [retry.attempt, retry.error.message])).toEqual([[1, `ollama at ${server.url}/api/generate returned HTTP 429 Too Many Requests: slow down`]])
  })

  it('waits what Retry-After says, capped by maxRetryDelay', async () => {
    const server = await startFakeOpenAI()
    server.queue(replies.status(429, { error: { message: 'rate limited' } }, { 'retry-after': '2' }))
    const retries: LLMRetryInfo[] = []
    const llm = createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1`, retryDelay: 1, maxRetryDelay: 30 }, { onRetry: info => retries.push(info) })

    expect((await llm.generate('x')).text).toBe('echo: x')
    expect(retries.map(retry => retry.delayMs)).toEqual([30])
  })

  it('gives up after maxRetries 5xx answers with the last status', async () => {
    const server = await startFakeOllama()
    server.queue(...Array.from({ length: 3 }, () => replies.status(500, { error: 'boom' })))

    await expect(ollama(server.url, { maxRetries: 2 }).generate('x')).rejects.toMatchObject({
      code: 'http',
      status: 500,
      retryable: true,
      message: `ollama at ${server.url}/api/generate returned HTTP 500 Internal Server Error: boom`,
    })
    expect(server.requests).toHaveLength(3)
  })

  it('does not retry a 400', async () => {
    const server = await startFakeOpenAI()
    server.queue(replies.status(400, { error: { message: 'bad temperature' } }))
    const llm = createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1`, retryDelay: 1 })

    await expect(llm.generate('x')).rejects.toMatchObject({ code: 'http', status: 400, retryable: false, message: expect.stringMatching(/HTTP 400 Bad Request: bad temperature$/) })
    expect(server.requests).toHaveLength(1)
  })

  it('retries a dropped connection', async () => {
    const server = await startFakeOllama()
    server.queue(replies.reset())

    expect((await ollama(server.url).generate('x')).text).toBe('echo: x')
    expect(server.requests).toHaveLength(2)
  })

  it('does not retry a stream that broke after tokens reached the caller', async () => {
    const server = await startFakeOllama()
    server.queue((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' })
      response.end('{"response":"half","done":false}\n')
    })
    const seen: string[] = []

    await expect(ollama(server.url).generate({ prompt: 'x', onToken: token => seen.push(token) })).rejects.toMatchObject({
      code: 'connection-reset',
      message: `ollama at ${server.url}/api/generate ended the stream before it was done`,
    })
    expect(seen).toEqual(['half'])
    expect(server.requests).toHaveLength(1)
  })

  it('rejects an SSE stream that ends without [DONE]', async () => {
    const server = await startFakeOpenAI()
    server.queue((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.end('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n')
    })
    const llm = createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1`, retryDelay: 1 })

    await expect(llm.generate({ prompt: 'x', onToken: () => {} })).rejects.toMatchObject({ code: 'connection-reset', message: expect.stringMatching(/ended the stream before it was done$/) })
  })
})

describe('bad answers and absent servers', () => {
  it('reports a body that is not JSON, without retrying', async () => {
    const server = await startFakeOllama()
    server.queue(replies.garbage('<html>proxy error</html>'))

    const error = await llmErrorOf(ollama(server.url).generate('x'))
    expect(error).toMatchObject({ code: 'malformed-response', retryable: false })
    expect(error.message).toMatch(new RegExp(`^ollama at ${server.url}/api/generate returned malformed JSON: .+ \\(body starts "<html>proxy error</html>"\\)$`))
    expect(server.requests).toHaveLength(1)
  })

  it('reports a malformed line in an SSE stream', async () => {
    const server = await startFakeOpenAI()
    server.queue((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.end('data: {not json\n\n')
    })
    const llm = createLLMClient({ provider: 'openai', model: 'gpt-test', baseURL: `${server.url}/v1` })

    await expect(llm.generate({ prompt: 'x', onToken: () => {} })).rejects.toMatchObject({ code: 'malformed-response', message: expect.stringContaining('returned malformed JSON') })
  })

  it('shortens a long error body to a one-line snippet', async () => {
    const server = await startFakeOllama()
    server.queue((_request, response) => {
      response.writeHead(502)
      response.end(`<html>\n${'bad gateway '.repeat(50)}\n</html>`)
    })

    const error = await llmErrorOf(ollama(server.url, { maxRetries: 0 }).generate('x'))
    expect(error.message).not.toContain('\n')
    expect(error.message).toMatch(/returned HTTP 502 Bad Gateway: <html> bad gateway .{150,}…$/)
  })

  it('says how to fix a server that is down, at once', async () => {
    const url = await closedPortURL()
    const retries: LLMRetryInfo[] = []

    await expect(ollama(url, {}, retries).generate('x')).rejects.toMatchObject({
      code: 'unreachable',
      retryable: false,
      message: `ollama at ${url} is not reachable (ECONNREFUSED): start it or set llm.baseURL`,
    })
    await expect(createLLMClient({ provider: 'openai', model: 'm', baseURL: `${url}/v1` }).listModels()).rejects.toMatchObject({
      message: `openai at ${url}/v1 is not reachable (ECONNREFUSED): check llm.baseURL and the network`,
    })
    expect(retries).toEqual([])
  })

  it('strips credentials and query strings from URLs in errors', async () => {
    const server = await startFakeOllama()
    server.queue(replies.status(500, { error: 'boom' }))

    const error = await llmErrorOf(ollama(`${server.url}/?token=secret-token`, { maxRetries: 0 }).generate('x'))
    expect(error.message).toBe(`ollama at ${server.url}/api/generate returned HTTP 500 Internal Server Error: boom`)
    expect(JSON.stringify(error)).not.toContain('secret-token')
  })
})
