import type { LLMChatRequest, LLMGenerateRequest, LLMProvider, LLMProviderContext, LLMRequestBase, LLMResponse } from '../../types/llm'
import { defu } from 'defu'
import type { HttpProviderInfo, RequestSite } from '../http'
import { malformed, readJSON, requestSite, send, serverError } from '../http'
import { readNDJSON } from '../stream'

const OLLAMA: HttpProviderInfo = {
  name: 'ollama',
  defaultBaseURL: 'http://127.0.0.1:11434',
  hints: { unreachable: 'start it or set llm.baseURL', modelNotFound: 'pull it or set llm.model' },
}

/** Ollama's native API: /api/generate, /api/chat (NDJSON when streaming) and /api/tags. */
export function ollamaProvider(): LLMProvider {
  return {
    name: OLLAMA.name,
    defaultBaseURL: OLLAMA.defaultBaseURL,
    generate: (request: LLMGenerateRequest, context: LLMProviderContext) =>
      complete('/api/generate', { prompt: request.prompt, system: request.system }, request, context, chunk => chunk.response),
    chat: (request: LLMChatRequest, context: LLMProviderContext) => {
      const messages = request.system ? [{ role: 'system', content: request.system }, ...request.messages] : request.messages
      return complete('/api/chat', { messages }, request, context, chunk => chunk.message?.content)
    },
    async listModels(context: LLMProviderContext) {
      const site = requestSite(OLLAMA, context, '/api/tags')
      const body = await readJSON(site, await send(site, context), context.signal) as any
      if (!Array.isArray(body?.models)) throw malformed(site, 'a body without a "models" list')
      return body.models.map((model: any) => model?.name ?? model?.model).filter((name: unknown) => typeof name === 'string')
    },
  }
}

/** Both endpoints take the same knobs and answer with the same envelope; only the text's place differs. */
async function complete(path: string, input: Record<string, unknown>, request: LLMRequestBase, context: LLMProviderContext, textOf: (chunk: any) => unknown): Promise<LLMResponse> {
  const started = Date.now()
  const site = requestSite(OLLAMA, context, path, request.model)
  const response = await send(site, context, {
    model: request.model,
    ...input,
    stream: Boolean(request.onToken),
    ...(request.json ? { format: request.json === true ? 'json' : request.json } : {}),
    options: defu({ temperature: request.temperature, seed: request.seed }, request.options),
  })
  let text = ''
  let last: any
  if (request.onToken) {
    for await (const chunk of readNDJSON(site, response, context.signal, chunk => chunk?.done === true)) {
      const piece = checked(site, chunk, textOf)
      text += piece
      last = chunk
      if (piece) request.onToken(piece)
    }
  } else {
    last = await readJSON(site, response, context.signal)
    text = checked(site, last, textOf)
  }
  return {
    text,
    model: typeof last.model === 'string' ? last.model : request.model,
    provider: OLLAMA.name,
    usage: usageOf(last),
    finishReason: last.done_reason,
    raw: withoutContext(last),
    durationMs: Date.now() - started,
  }
}

/** The text of one body or chunk, after making sure it is one and carries no error. */
function checked(site: RequestSite, chunk: any, textOf: (chunk: any) => unknown): string {
  if (typeof chunk?.error === 'string') throw serverError(site, chunk)
  const text = typeof chunk === 'object' && chunk !== null ? textOf(chunk) : undefined
  // The final stream chunk of /api/generate may omit the text.
  if (text === undefined && chunk?.done === true) return ''
  if (typeof text !== 'string') throw malformed(site, 'a body without the answer text')
  return text
}

function usageOf(body: any): LLMResponse['usage'] {
  const promptTokens = body.prompt_eval_count
  const completionTokens = body.eval_count
  if (typeof promptTokens !== 'number' && typeof completionTokens !== 'number') return undefined
  return { promptTokens, completionTokens, totalTokens: (promptTokens ?? 0) + (completionTokens ?? 0) }
}

/** /api/generate returns the conversation as token ids (`context`): thousands of numbers of no use for debugging. */
function withoutContext(body: any): unknown {
  const { context: _tokenIds, ...rest } = body
  return rest
}
