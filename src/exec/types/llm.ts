import { performance } from 'node:perf_hooks'
import { llmFor } from '../../llm/for-context'
import type { ExecHandler, LlmExecSpec } from '../../types/exec'
import type { LLMCallOptions } from '../../types/llm'
import { tempFilesJournal, writeFileAtomic } from '../../utils/fs'
import { resolveInside } from '../../utils/paths'
import { templateEnvFor } from './tmpl'

const CALL_KEYS = ['temperature', 'seed', 'timeout', 'maxRetries'] as const

/**
 * `{ exec: 'llm', prompt | template, ... }`: ask the configured model. The answer is data: it is written only
 * where the spec says (`out`, inside the root) and never executed.
 */
export const llmExec: ExecHandler<LlmExecSpec> = async (spec, { ctx, signal }) => {
  const started = performance.now()
  const out = spec.out === undefined ? undefined : resolveInside(ctx.worktreeRoot, spec.out, 'llm output')
  const prompt = spec.template ? templateEnvFor(ctx).render(spec.template, spec.data) : spec.prompt!
  const { call, extra } = splitOptions(spec.options ?? {})
  const options: LLMCallOptions = { ...call, system: spec.system, signal, ...(Object.keys(extra).length > 0 ? { options: extra } : {}) }
  const llm = llmFor(ctx, { provider: spec.provider, model: spec.model, cache: spec.cache })
  const response = spec.json ? await llm.json(prompt, spec.json, options) : await llm.generate(prompt, options)
  if (out) await writeFileAtomic(out, response.text, tempFilesJournal(ctx.app.repo.commonDir))
  return {
    ok: true,
    stdout: response.text,
    ...(out ? { artifact: spec.out } : {}),
    durationMs: Math.round(performance.now() - started),
    meta: { provider: response.provider, model: response.model, cached: response.cached, usage: response.usage, ...('data' in response ? { data: response.data } : {}) },
  }
}

function splitOptions(options: Record<string, unknown>): { call: Partial<LLMCallOptions>; extra: Record<string, unknown> } {
  const call: Record<string, unknown> = {}
  const extra: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) ((CALL_KEYS as readonly string[]).includes(key) ? call : extra)[key] = value
  return { call: call as Partial<LLMCallOptions>, extra }
}
