export type LLMErrorCode =
  | 'config'
  | 'unknown-provider'
  | 'duplicate-provider'
  | 'unreachable'
  | 'connection-reset'
  | 'timeout'
  | 'aborted'
  | 'http'
  | 'model-not-found'
  | 'malformed-response'
  | 'invalid-json'
  | 'schema-mismatch'
  /** A plugin provider threw something other than an `LLMError`. */
  | 'provider'

export interface LLMErrorInit {
  code: LLMErrorCode
  message: string
  provider: string
  url?: string
  model?: string
  status?: number
  retryable?: boolean
  /** From the server's `Retry-After` header. */
  retryAfterMs?: number
  cause?: unknown
}

/** Every failure of the LLM layer: what went wrong, where, and whether trying again may help. */
export class LLMError extends Error {
  override name = 'LLMError'
  readonly code: LLMErrorCode
  readonly provider: string
  /** Endpoint without credentials, query or fragment ('' when no request was made). */
  readonly url: string
  readonly model: string
  readonly status?: number
  readonly retryable: boolean
  readonly retryAfterMs?: number

  constructor(init: LLMErrorInit) {
    // Messages are one line so they fit a log line and a receipt field.
    super(oneLine(init.message), init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.provider = init.provider
    this.url = init.url ? safeURL(init.url) : ''
    this.model = init.model ?? ''
    this.status = init.status
    this.retryable = init.retryable ?? false
    this.retryAfterMs = init.retryAfterMs
  }
}

/** `url` without user, password, query or fragment: what may be shown in messages and logs. */
export function safeURL(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    parsed.hash = ''
    return parsed.href.replace(/\/$/, '')
  } catch {
    return '<invalid url>'
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
