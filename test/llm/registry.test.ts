import { describe, expect, it } from 'vitest'
import type { LLMProvider } from '../../src/llm'
import { createLLMClient, createLLMRegistry } from '../../src/llm'

function customProvider(name: string, text = 'custom'): LLMProvider {
  return {
    name,
    generate: async request => ({ text: `${text}: ${request.prompt}`, model: request.model, provider: name, durationMs: 0 }),
    chat: async request => ({ text: `${text}: ${request.messages.length}`, model: request.model, provider: name, durationMs: 0 }),
  }
}

describe('createLLMRegistry', () => {
  it('holds ollama and openai', () => {
    const registry = createLLMRegistry()
    expect(registry.names()).toEqual(['ollama', 'openai'])
    expect(registry.get('openai').defaultBaseURL).toBe('https://api.openai.com/v1')
  })

  it('lists the known providers for an unknown name', () => {
    expect(() => createLLMRegistry().get('claude')).toThrow('unknown LLM provider "claude": known providers are ollama, openai')
  })

  it('refuses a second provider with a taken name unless told to override', () => {
    const registry = createLLMRegistry().add(customProvider('mine'))
    expect(() => registry.add(customProvider('ollama'))).toThrow('cannot add LLM provider "ollama": "ollama" is already registered (the built-in one); pass { override: true } to replace it')
    expect(() => registry.add(customProvider('mine'))).toThrow('"mine" is already registered (one added earlier)')

    const replacement = customProvider('ollama', 'replaced')
    registry.add(replacement, { override: true })
    expect(registry.get('ollama')).toBe(replacement)
  })

  it('rejects something that is not a provider', () => {
    const registry = createLLMRegistry()
    expect(() => registry.add({ name: '' } as LLMProvider)).toThrow('an LLM provider needs a non-empty string "name"')
    expect(() => registry.add({ name: 'half', generate: async () => ({}) } as unknown as LLMProvider)).toThrow('an LLM provider needs "generate" and "chat" functions ("half" lacks one)')
    expect(() => registry.add({ ...customProvider('x'), listModels: 'no' } as unknown as LLMProvider)).toThrow('an LLM provider needs "listModels" to be a function when set ("x" has a string)')
  })

  it('serves a plugin provider to the client', async () => {
    const registry = createLLMRegistry().add(customProvider('mine'))
    const llm = createLLMClient({ provider: 'mine', model: 'm' }, { registry })

    expect((await llm.generate('hi')).text).toBe('custom: hi')
    await expect(llm.listModels()).rejects.toMatchObject({ code: 'config', message: 'LLM provider "mine" cannot list models' })
  })

  it('times out a plugin provider through its signal', async () => {
    const hanging = (_request: unknown, context: { signal: AbortSignal }) => new Promise<never>((_resolve, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason))
    })
    const registry = createLLMRegistry().add({ ...customProvider('slow'), generate: hanging })
    await expect(createLLMClient({ provider: 'slow', model: 'm', timeout: 20 }, { registry }).generate('x')).rejects.toMatchObject({ code: 'timeout', message: 'slow timed out after 20 ms' })
  })

  it('wraps whatever a plugin provider throws in an LLMError', async () => {
    const registry = createLLMRegistry().add({ ...customProvider('flaky'), generate: async () => { throw new TypeError('boom') } })
    await expect(createLLMClient({ provider: 'flaky', model: 'm' }, { registry }).generate('x')).rejects.toMatchObject({ name: 'LLMError', code: 'provider', message: 'flaky failed: boom' })
  })
})
