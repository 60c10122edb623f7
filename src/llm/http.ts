import type { LLMProviderContext } from '../types/llm'
import { LLMError, oneLine, safeURL } from './error'
import { parseRetryAfter } from './retry'

/** What a provider tells the user when its server is down or lacks the model. */
export interface ProviderHints {
  unreachable: string
  modelNotFound: string
}

/** What an HTTP provider is: its name, where its server usually listens, what to tell users. */
export interface HttpProviderInfo {
  name: string
  defaultBaseURL: string
  hints: ProviderHints
}

/** One endpoint of one provider: everything an error message needs. */
export interface RequestSite {
  provider: string
  baseURL: string
  url: string
  model?: string
  hints: ProviderHints
}

/** Connection failures where the server is simply not there: retrying right away will not help. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
/** Connections that broke mid-way: worth another try. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT'])
const SNIPPET_LENGTH = 200

export function requestSite(info: HttpProviderInfo, context: LLMProviderContext, path: string, model?: string): RequestSite {
  const baseURL = context.baseURL ?? info.defaultBaseURL
  // Through URL so a query the base carries (e.g. Azure's `api-version`) stays at the end.
  const url = new URL(baseURL)
  url.pathname = url.pathname.replace(/\/+$/, '') + path
  return { provider: info.name, baseURL, url: url.href, model, hints: info.hints }
}

/** Send a request; resolves with a 2xx response, rejects with an `LLMError` for anything else. */
export async function send(site: RequestSite, context: LLMProviderContext, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (context.apiKey) headers.authorization = `Bearer ${context.apiKey}`
  let response: Response
  try {
    response = await context.fetch(site.url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: context.signal,
    })
  } catch (error) {
    throw transportError(site, error, context.signal)
  }
  if (!response.ok) throw await statusError(site, response)
  return response
}

/** Read and parse a whole JSON body. */
export async function readJSON(site: RequestSite, response: Response, signal: AbortSignal): Promise<unknown> {
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    throw transportError(site, error, signal)
  }
  return parseBody(site, text)
}

export function parseBody(site: RequestSite, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw malformed(site, `malformed JSON: ${(error as Error).message} (body starts ${JSON.stringify(text.slice(0, 60))})`)
  }
}

/** A 2xx body that parsed but lacks what the provider needs. */
export function malformed(site: RequestSite, what: string): LLMError {
  return new LLMError({ code: 'malformed-response', message: `${site.provider} at ${safeURL(site.url)} returned ${what}`, provider: site.provider, url: site.url, model: site.model })
}

/** An `{ error }` body sent with a 2xx status or in the middle of a stream. */
export function serverError(site: RequestSite, body: unknown): LLMError {
  const detail = errorDetail(JSON.stringify(body))
  return new LLMError({ code: 'http', message: `${site.provider} at ${safeURL(site.url)} reported an error: ${detail}`, provider: site.provider, url: site.url, model: site.model })
}

/** A failed fetch or body read: aborted by us, server not there, or connection dropped. */
export function transportError(site: RequestSite, error: unknown, signal: AbortSignal): LLMError {
  const common = { provider: site.provider, url: site.url, model: site.model, cause: error }
  if (signal.aborted) return new LLMError({ ...common, code: 'aborted', message: `${site.provider} request to ${safeURL(site.url)} was aborted` })
  const code = errorCode(error)
  if (code && RESET_CODES.has(code)) {
    return new LLMError({ ...common, code: 'connection-reset', retryable: true, message: `${site.provider} at ${safeURL(site.url)} dropped the connection (${code})` })
  }
  const reason = code ?? (error as Error)?.message ?? String(error)
  const hint = code && UNREACHABLE_CODES.has(code) ? `: ${site.hints.unreachable}` : ''
  return new LLMError({ ...common, code: 'unreachable', message: `${site.provider} at ${safeURL(site.baseURL)} is not reachable (${reason})${hint}` })
}

/** A non-2xx response: unknown model, or HTTP status with a snippet of what the server said. */
async function statusError(site: RequestSite, response: Response): Promise<LLMError> {
  const detail = errorDetail(await response.text().catch(() => ''))
  const common = { provider: site.provider, url: site.url, model: site.model, status: response.status }
  if (site.model && isModelNotFound(response.status, detail)) {
    return new LLMError({ ...common, code: 'model-not-found', message: `model "${site.model}" not found on ${site.provider} at ${safeURL(site.baseURL)}: ${site.hints.modelNotFound}` })
  }
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  return new LLMError({
    ...common,
    code: 'http',
    retryable: response.status === 429 || response.status >= 500,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    message: `${site.provider} at ${safeURL(site.url)} returned ${status}${detail ? `: ${detail}` : ''}`,
  })
}

function isModelNotFound(status: number, detail: string): boolean {
  return /model_not_found/i.test(detail) || (status === 404 && /model/i.test(detail) && /not found|does not exist/i.test(detail))
}

/** The error text of a JSON error body (`{error}`, `{error: {message}}`, `{message}`) or the raw text, shortened. */
export function errorDetail(body: string): string {
  let text = body
  try {
    const parsed = JSON.parse(body) as any
    const found = [parsed?.error?.message, parsed?.error, parsed?.message].find(value => typeof value === 'string')
    if (found) text = found
  } catch {
    // Not JSON (an HTML error page, plain text): show it as it is.
  }
  text = oneLine(text)
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}…` : text
}

/** undici puts the system error in `cause` (an AggregateError when several addresses were tried). */
function errorCode(error: unknown): string | undefined {
  const cause = (error as any)?.cause ?? error
  const code = cause?.code ?? cause?.errors?.[0]?.code
  return typeof code === 'string' ? code : undefined
}
