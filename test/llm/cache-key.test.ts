import { describe, expect, it } from 'vitest'
import { createLLMClient, llmCacheKey } from '../../src/llm'
import { canonicalJSON } from '../../src/llm/cache-key'

const BASE = { provider: 'ollama', model: 'm', prompt: 'p', temperature: 0, seed: 42 }

describe('llmCacheKey', () => {
  it('is a sha256 hex digest, stable across key order', () => {
    const key = llmCacheKey(BASE)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(llmCacheKey({ seed: 42, temperature: 0, prompt: 'p', model: 'm', provider: 'ollama' })).toBe(key)
    expect(llmCacheKey({ ...BASE, json: { type: 'object', required: ['a'] } })).toBe(llmCacheKey({ ...BASE, json: { required: ['a'], type: 'object' } }))
  })

  it.each([
    ['provider', { provider: 'openai' }],
    ['model', { model: 'other' }],
    ['prompt', { prompt: 'q' }],
    ['messages', { prompt: undefined, messages: [{ role: 'user' as const, content: 'p' }] }],
    ['system', { system: 's' }],
    ['temperature', { temperature: 0.5 }],
    ['seed', { seed: 1 }],
    ['json mode', { json: true as const }],
    ['json schema', { json: { type: 'object' } }],
    ['extra options', { options: { num_ctx: 4096 } }],
  ])('changes with %s', (_field, change) => {
    expect(llmCacheKey({ ...BASE, ...change })).not.toBe(llmCacheKey(BASE))
  })

  it('ignores what does not change the answer', () => {
    const noise = { onToken: () => {}, timeout: 5, baseURL: 'http://x', apiKey: 'k' }
    expect(llmCacheKey({ ...BASE, ...noise } as typeof BASE)).toBe(llmCacheKey(BASE))
  })

  it('sorts keys at every depth', () => {
    expect(canonicalJSON({ b: [{ d: 1, c: 2 }], a: undefined })).toBe('{"b":[{"c":2,"d":1}]}')
  })

  it('is what the client computes for a call, defaults applied', () => {
    const llm = createLLMClient({ model: 'm' })
    expect(llm.cacheKey('p')).toBe(llmCacheKey(BASE))
    expect(llm.cacheKey('p', { seed: 1 })).toBe(llmCacheKey({ ...BASE, seed: 1 }))
  })
})
