import { LLMError } from './error'

const REDACTED = '[redacted]'

/**
 * `value` with every occurrence of `secret` replaced. Our requests never put the key in a body, but a server
 * may echo the Authorization header back (in an error or a debug field), and that must not reach logs or receipts.
 */
export function redactSecret<T>(value: T, secret: string | undefined): T {
  if (!secret) return value
  const json = JSON.stringify(value)
  // The secret as it appears inside a JSON string (quotes or backslashes escaped).
  const escaped = JSON.stringify(secret).slice(1, -1)
  return json?.includes(escaped) ? JSON.parse(json.replaceAll(escaped, REDACTED)) : value
}

export function redactError(error: LLMError, secret: string | undefined): LLMError {
  if (!secret || !error.message.includes(secret)) return error
  return new LLMError({
    code: error.code,
    message: error.message.replaceAll(secret, REDACTED),
    provider: error.provider,
    url: error.url,
    model: error.model,
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
  })
}
