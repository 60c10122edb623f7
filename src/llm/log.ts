import { lazyLogger } from '../utils/logger'

/** The LLM layer's logger; messages never carry the API key (see redact.ts). */
export const llmLogger = lazyLogger('gitvan:llm')
