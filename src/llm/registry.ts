import type { LLMProvider, LLMRegistry } from '../types/llm'
import { LLMError } from './error'
import { ollamaProvider } from './providers/ollama'
import { openaiProvider } from './providers/openai'

/** A registry holding the built-in `ollama` and `openai` providers; plugins add theirs. */
export function createLLMRegistry(): LLMRegistry {
  const providers = new Map<string, LLMProvider>()
  const builtIn = new Set<LLMProvider>()
  const registry: LLMRegistry = {
    add(provider, options = {}) {
      assertProvider(provider)
      const existing = providers.get(provider.name)
      if (existing && !options.override) {
        const which = builtIn.has(existing) ? 'the built-in one' : 'one added earlier'
        throw new LLMError({
          code: 'duplicate-provider',
          provider: provider.name,
          message: `cannot add LLM provider "${provider.name}": "${provider.name}" is already registered (${which}); pass { override: true } to replace it`,
        })
      }
      providers.set(provider.name, provider)
      return registry
    },
    get(name) {
      const provider = providers.get(name)
      if (!provider) {
        throw new LLMError({ code: 'unknown-provider', provider: String(name), message: `unknown LLM provider "${name}": known providers are ${registry.names().join(', ') || 'none'}` })
      }
      return provider
    },
    names: () => [...providers.keys()].sort(),
  }
  for (const provider of [ollamaProvider(), openaiProvider()]) {
    registry.add(provider)
    builtIn.add(provider)
  }
  return registry
}

function assertProvider(provider: LLMProvider): void {
  const value = provider as Partial<LLMProvider> | undefined
  const fail = (needs: string) => new LLMError({ code: 'config', provider: String(value?.name ?? ''), message: `an LLM provider needs ${needs}` })
  if (typeof value?.name !== 'string' || !value.name.trim()) throw fail('a non-empty string "name"')
  if (typeof value.generate !== 'function' || typeof value.chat !== 'function') throw fail(`"generate" and "chat" functions ("${value.name}" lacks one)`)
  if (value.listModels !== undefined && typeof value.listModels !== 'function') throw fail(`"listModels" to be a function when set ("${value.name}" has a ${typeof value.listModels})`)
}
