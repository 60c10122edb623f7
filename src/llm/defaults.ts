/**
 * The LLM client's defaults, in one place: `createLLMClient` applies them, and the config's `llm` section
 * (`configDefaults.llm`) is made of them.
 */
export const llmDefaults = {
  provider: 'ollama',
  temperature: 0,
  seed: 42,
  timeout: 60_000,
  maxRetries: 2,
  retryDelay: 500,
  maxRetryDelay: 10_000,
} as const
