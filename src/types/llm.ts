/** A JSON Schema (any draft from 4 to 2020-12) describing the JSON a model must answer with. */
export type JSONSchema = Record<string, unknown>

export type LLMRole = 'system' | 'user' | 'assistant'

export interface LLMMessage {
  role: LLMRole
  content: string
}

/** What both request kinds share: the knobs that change the answer, plus streaming. */
export interface LLMRequestBase {
  model: string
  /** System prompt; for chat it is sent as a leading `system` message. */
  system?: string
  temperature?: number
  seed?: number
  /** `true`: answer with any JSON object (JSON mode); a schema: answer with JSON matching it (structured output). */
  json?: true | JSONSchema
  /** Extra provider options (Ollama: merged into `options`; OpenAI: merged into the request body). */
  options?: Record<string, unknown>
  /** When set, the provider streams and calls this with each piece of text; the full text is still returned. */
  onToken?: (text: string) => void
}

export interface LLMGenerateRequest extends LLMRequestBase {
  prompt: string
}

export interface LLMChatRequest extends LLMRequestBase {
  messages: LLMMessage[]
}

export interface LLMUsage {
  promptTokens?: number
  completionTokens?: number
  totalTokens?: number
}

export interface LLMResponse {
  text: string
  /** The model the server says answered (may carry a tag or version the request did not). */
  model: string
  provider: string
  usage?: LLMUsage
  /** Why the model stopped (`stop`, `length`, ...), when the server says. */
  finishReason?: string
  /** The server's final body (or last stream chunk), for debugging; never holds request headers. */
  raw?: unknown
  /** Wall time; through the client it covers the whole call, retries included. */
  durationMs: number
}

/** Everything a provider needs besides the request: where to send it and how. */
export interface LLMProviderContext {
  /** Server base URL; providers fall back to their `defaultBaseURL`. */
  baseURL?: string
  /** The API key itself (already read from the environment), sent as a bearer token. */
  apiKey?: string
  signal: AbortSignal
  fetch: typeof globalThis.fetch
}

export interface LLMProvider {
  name: string
  defaultBaseURL?: string
  generate(request: LLMGenerateRequest, context: LLMProviderContext): Promise<LLMResponse>
  chat(request: LLMChatRequest, context: LLMProviderContext): Promise<LLMResponse>
  listModels?(context: LLMProviderContext): Promise<string[]>
}

export interface LLMRegistry {
  /** Register a provider; a second one with the same name is an error unless `override` is set. */
  add(provider: LLMProvider, options?: { override?: boolean }): LLMRegistry
  get(name: string): LLMProvider
  names(): string[]
}

/** The `llm` section of the GitVan config. */
export interface LLMConfig {
  /** Registered provider name (default `ollama`). */
  provider?: string
  model?: string
  baseURL?: string
  /** Name of the environment variable holding the API key (the key itself never goes in the config). */
  apiKeyEnv?: string
  /** Default 0. */
  temperature?: number
  /** Default 42. */
  seed?: number
  /** Milliseconds for a whole call, retries included (default 60000). */
  timeout?: number
  /** Extra attempts after a 429, 5xx or connection reset (default 2). */
  maxRetries?: number
  /** First backoff delay in milliseconds, doubled per retry, with jitter (default 500). */
  retryDelay?: number
  /** Cap for a backoff delay or a server's `Retry-After`, in milliseconds (default 10000). */
  maxRetryDelay?: number
}

/** Per-call overrides of the config, plus what only makes sense for one call. */
export interface LLMCallOptions extends Pick<LLMConfig, 'model' | 'temperature' | 'seed' | 'timeout' | 'maxRetries'> {
  system?: string
  json?: true | JSONSchema
  options?: Record<string, unknown>
  onToken?: (text: string) => void
  /** Cancels the call (e.g. daemon shutdown). */
  signal?: AbortSignal
}

export interface LLMGenerateInput extends LLMCallOptions {
  prompt: string
}

export interface LLMRetryInfo {
  /** 1 for the first retry. */
  attempt: number
  delayMs: number
  error: Error
}

export interface LLMClientDeps {
  /** Default: a registry with the built-in providers. */
  registry?: LLMRegistry
  /** Where `apiKeyEnv` is looked up (default `process.env`). */
  env?: Record<string, string | undefined>
  /** Default: global fetch. */
  fetch?: typeof globalThis.fetch
  /** Told before each retry's backoff (also logged at warn level). */
  onRetry?: (info: LLMRetryInfo) => void
}

export interface LLMJSONResponse<T = unknown> extends LLMResponse {
  /** The parsed answer, valid against the schema. */
  data: T
}

export interface LLMClient {
  generate(input: string | LLMGenerateInput): Promise<LLMResponse>
  chat(messages: LLMMessage[], options?: LLMCallOptions): Promise<LLMResponse>
  /** Ask for JSON matching `schema`; a string is a generate prompt, messages go through chat. */
  json<T = unknown>(input: string | LLMMessage[], schema: JSONSchema, options?: LLMCallOptions): Promise<LLMJSONResponse<T>>
  listModels(options?: Pick<LLMCallOptions, 'timeout' | 'signal'>): Promise<string[]>
  /** The cache key of the request a call with these arguments would send (defaults applied). */
  cacheKey(input: string | LLMMessage[], options?: LLMCallOptions): string
}
