import { consola } from 'consola'

/** The LLM layer's logger; messages never carry the API key (see redact.ts). */
export const llmLogger = consola.withTag('gitvan:llm')
