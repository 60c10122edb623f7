import { LLMError, safeURL } from './error'
import type { RequestSite } from './http'
import { malformed, parseBody, transportError } from './http'

/** Lines of a streamed body; the body is cancelled (its connection released) when reading stops for any reason. */
async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true })
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) yield line.replace(/\r$/, '')
    }
    buffer += decoder.decode()
    if (buffer) yield buffer.replace(/\r$/, '')
  } finally {
    // Rejects when the body already failed; nothing more to release then.
    reader.cancel().catch(() => {})
  }
}

/** Read errors become `LLMError`s (aborted or connection reset) instead of undici's bare `terminated`. */
async function* siteLines(site: RequestSite, response: Response, signal: AbortSignal): AsyncGenerator<string> {
  if (!response.body) throw malformed(site, 'an empty body')
  try {
    yield* readLines(response.body)
  } catch (error) {
    throw transportError(site, error, signal)
  }
}

function truncated(site: RequestSite): LLMError {
  return new LLMError({
    code: 'connection-reset',
    retryable: true,
    message: `${site.provider} at ${safeURL(site.url)} ended the stream before it was done`,
    provider: site.provider,
    url: site.url,
    model: site.model,
  })
}

/** Newline-delimited JSON objects, up to and including the one `isFinal` accepts; ending before it is an error. */
export async function* readNDJSON(site: RequestSite, response: Response, signal: AbortSignal, isFinal: (chunk: any) => boolean): AsyncGenerator<any> {
  for await (const line of siteLines(site, response, signal)) {
    if (!line.trim()) continue
    const chunk = parseBody(site, line)
    yield chunk
    if (isFinal(chunk)) return
  }
  throw truncated(site)
}

/** Server-sent events' `data` payloads parsed as JSON, until `data: [DONE]`; ending before it is an error. */
export async function* readSSE(site: RequestSite, response: Response, signal: AbortSignal): AsyncGenerator<any> {
  let data: string[] = []
  for await (const line of siteLines(site, response, signal)) {
    if (line.startsWith('data:')) {
      data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
      continue
    }
    // A blank line ends an event; comments (`: ping`) and `event:`/`id:` fields carry nothing we need.
    if (line !== '' || data.length === 0) continue
    const payload = data.join('\n')
    data = []
    if (payload === '[DONE]') return
    yield parseBody(site, payload)
  }
  if (data.join('\n') === '[DONE]') return
  throw truncated(site)
}
