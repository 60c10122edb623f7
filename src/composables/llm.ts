import { llmFor } from '../llm/for-context'
import type { ContextLLM, LLMUseOptions } from '../llm/for-context'
import { useGitVan } from '../context/use-gitvan'

/**
 * The configured language model from job code: `generate`, `chat` and `json` (schema-checked), with the run's
 * abort signal and, with `cache: true` (here or in `llm.cache`), answers replayed from Git for the same request.
 */
export function useLLM(options: LLMUseOptions = {}): ContextLLM {
  return llmFor(useGitVan(), options)
}
