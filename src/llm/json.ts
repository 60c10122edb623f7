import type { Schema, SchemaDraft } from '@cfworker/json-schema'
import type { JSONSchema } from '../types/llm'
import { lazyRequire } from '../utils/lazy-require'
import { errorLine } from '../utils/messages'

/** Only a call with a JSON schema needs the validator. */
const loadValidator = lazyRequire<typeof import('@cfworker/json-schema')>('@cfworker/json-schema')

export type JSONAnswer =
  | { ok: true; value: unknown }
  | { ok: false; problem: 'invalid-json' | 'schema-mismatch' | 'bad-schema'; reason: string }

/** The JSON in a model's answer: the first ```json (or bare ```) fenced block when there is one, else the whole text. */
export function jsonText(text: string): string {
  const fenced = /```(?:json)?[^\S\n]*\n([\s\S]*?)```/i.exec(text)
  return (fenced ? fenced[1]! : text).trim()
}

/** Parse a model's answer and check it against `schema`; the reason names the first failing path. */
export function parseJSONAnswer(text: string, schema: JSONSchema): JSONAnswer {
  const candidate = jsonText(text)
  let value: unknown
  try {
    value = JSON.parse(candidate)
  } catch (error) {
    return { ok: false, problem: 'invalid-json', reason: `${(error as Error).message} (answer starts ${JSON.stringify(candidate.slice(0, 60))})` }
  }
  let result
  try {
    // Short-circuit: stop at the first failure; its innermost error comes last.
    result = new (loadValidator().Validator)(schema as Schema, draftOf(schema), true).validate(value)
  } catch (error) {
    // The validator lists every known schema on further lines.
    return { ok: false, problem: 'bad-schema', reason: errorLine(error) }
  }
  if (result.valid) return { ok: true, value }
  const first = result.errors.at(-1)!
  return { ok: false, problem: 'schema-mismatch', reason: `at ${first.instanceLocation}: ${first.error}` }
}

/** The draft named by `$schema`; 2020-12 (what structured-output APIs expect) otherwise. */
function draftOf(schema: JSONSchema): SchemaDraft {
  const uri = typeof schema.$schema === 'string' ? schema.$schema : ''
  if (uri.includes('draft-04')) return '4'
  // Draft 6 is close enough to 7 for validation.
  if (uri.includes('draft-06') || uri.includes('draft-07')) return '7'
  if (uri.includes('2019-09')) return '2019-09'
  return '2020-12'
}
