import { defu } from 'defu'
import type { LLMChatRequest, LLMProvider, LLMProviderContext, LLMRequestBase, LLMResponse } from '../../types/llm'
import type { HttpProviderInfo, RequestSite } from '../http'
import { malformed, readJSON, requestSite, send, serverError } from '../http'
import { readSSE } from '../stream'

const OPENAI: HttpProviderInfo = {
  name: 'openai',
  defaultBaseURL: 'https://api.openai.com/v1',
  hints: { unreachable: 'check llm.baseURL and the network', modelNotFound: 'check llm.model' },
}

/** Any OpenAI-compatible server (OpenAI, vLLM, LM Studio, llama.cpp, ...): /chat/completions (SSE when streaming) and /models. */
export function openaiProvider(): LLMProvider {
  return {
    name: OPENAI.name,
    defaultBaseURL: OPENAI.defaultBaseURL,
    // There is no plain completion endpoint worth using any more: a prompt is one user message.
    generate: (request, context) => chatCompletion({ ...request, messages: [{ role: 'user', content: request.prompt }] }, context),
    chat: chatCompletion,
    async listModels(context: LLMProviderContext) {
      const site = requestSite(OPENAI, context, '/models')
      const body = await readJSON(site, await send(site, context), context.signal) as any
      if (!Array.isArray(body?.data)) throw malformed(site, 'a body without a "data" list')
      return body.data.map((model: any) => model?.id).filter((id: unknown) => typeof id === 'string')
    },
  }
}

async function chatCompletion(request: LLMChatRequest, context: LLMProviderContext): Promise<LLMResponse> {
  const started = Date.now()
  const site = requestSite(OPENAI, context, '/chat/completions', request.model)
  const stream = Boolean(request.onToken)
  const response = await send(site, context, defu({
    model: request.model,
    messages: request.system ? [{ role: 'system', content: request.system }, ...request.messages] : request.messages,
    temperature: request.temperature,
    seed: request.seed,
    stream,
    stream_options: stream ? { include_usage: true } : undefined,
    response_format: responseFormat(request.json),
  }, request.options))
  const answer = stream ? await readStream(site, response, context.signal, request.onToken!) : await readWhole(site, response, context.signal)
  return {
    ...answer,
    model: typeof answer.raw?.model === 'string' ? answer.raw.model : request.model,
    provider: OPENAI.name,
    usage: usageOf(answer.usage),
    durationMs: Date.now() - started,
  }
}

function responseFormat(json: LLMRequestBase['json']): Record<string, unknown> | undefined {
  if (!json) return undefined
  if (json === true) return { type: 'json_object' }
  return { type: 'json_schema', json_schema: { name: 'response', schema: json } }
}

interface Answer {
  text: string
  finishReason?: string
  usage?: unknown
  /** The whole body, or the last stream chunk. */
  raw: any
}

async function readWhole(site: RequestSite, response: Response, signal: AbortSignal): Promise<Answer> {
  const body = await readJSON(site, response, signal) as any
  if (body?.error) throw serverError(site, body)
  const choice = body?.choices?.[0]
  if (typeof choice?.message?.content !== 'string') throw malformed(site, 'a body without choices[0].message.content')
  return { text: choice.message.content, finishReason: choice.finish_reason ?? undefined, usage: body.usage, raw: body }
}

async function readStream(site: RequestSite, response: Response, signal: AbortSignal, onToken: (text: string) => void): Promise<Answer> {
  const answer: Answer = { text: '', raw: undefined }
  for await (const chunk of readSSE(site, response, signal)) {
    if (chunk?.error) throw serverError(site, chunk)
    if (!Array.isArray(chunk?.choices)) throw malformed(site, 'a stream chunk without "choices"')
    const choice = chunk.choices[0]
    const piece = choice?.delta?.content
    if (typeof piece === 'string' && piece) {
      answer.text += piece
      onToken(piece)
    }
    answer.finishReason = choice?.finish_reason ?? answer.finishReason
    // Usage comes in a closing chunk of its own (asked for with `stream_options.include_usage`).
    answer.usage = chunk.usage ?? answer.usage
    answer.raw = chunk
  }
  return answer
}

function usageOf(usage: any): LLMResponse['usage'] {
  if (typeof usage !== 'object' || usage === null) return undefined
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens }
}
