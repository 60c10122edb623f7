import { describe, expect, it } from 'vitest'
import { createLLMClient, parseJSONAnswer } from '../../src/llm'
import { jsonText } from '../../src/llm/json'
import { startFakeOllama } from './fixtures/fake-ollama'

const MODEL = 'llama3.2:latest'
const SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['title'],
}

async function answering(text: string) {
  const server = await startFakeOllama({ answer: () => text })
  return { server, llm: createLLMClient({ model: MODEL, baseURL: server.url }) }
}

describe('json()', () => {
  it('returns the parsed answer along with the response', async () => {
    const { llm } = await answering('{"title":"Fix","tags":["a"]}')
    const response = await llm.json<{ title: string }>('summarise', SCHEMA)

    expect(response.data).toEqual({ title: 'Fix', tags: ['a'] })
    expect(response).toMatchObject({ provider: 'ollama', model: MODEL, text: '{"title":"Fix","tags":["a"]}' })
  })

  it('tolerates a ```json fenced block with prose around it', async () => {
    const { llm } = await answering('Here it is:\n```json\n{"title":"Fenced"}\n```\nAnything else?')
    expect((await llm.json('x', SCHEMA)).data).toEqual({ title: 'Fenced' })
  })

  it('goes through chat when given messages', async () => {
    const { llm, server } = await answering('{"title":"Chat"}')
    expect((await llm.json([{ role: 'user', content: 'x' }], SCHEMA)).data).toEqual({ title: 'Chat' })
    expect(server.requests[0]!.path).toBe('/api/chat')
  })

  it('rejects an answer that is not JSON, saying why', async () => {
    const { llm } = await answering('Sure! The title is Fix.')
    await expect(llm.json('x', SCHEMA)).rejects.toMatchObject({
      code: 'invalid-json',
      model: MODEL,
      message: expect.stringMatching(/^ollama model "llama3\.2:latest" answered with invalid JSON: .+ \(answer starts "Sure! The title is Fix\."\)$/),
    })
  })

  it('rejects JSON that does not match the schema, naming the first failing path', async () => {
    const { llm } = await answering('{"title":"x","tags":["a",2]}')
    await expect(llm.json('x', SCHEMA)).rejects.toMatchObject({
      code: 'schema-mismatch',
      message: 'ollama model "llama3.2:latest" answered with JSON that does not match the schema at #/tags/1: Instance type "number" is invalid. Expected "string".',
    })
  })

  it('names a missing required property', async () => {
    const { llm } = await answering('{"tags":[]}')
    await expect(llm.json('x', SCHEMA)).rejects.toMatchObject({ message: expect.stringMatching(/schema at #: Instance does not have required property "title"\.$/) })
  })

  it('rejects a schema that is not an object before calling the model', async () => {
    const { llm, server } = await answering('{}')
    await expect(llm.json('x', 'a schema' as never)).rejects.toMatchObject({ code: 'config', message: 'json schema must be a JSON schema object (got "a schema")' })
    expect(server.requests).toHaveLength(0)
  })

  it('reports a schema the validator cannot resolve', async () => {
    const { llm } = await answering('{}')
    await expect(llm.json('x', { $ref: '#/$defs/missing' })).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/^json schema cannot be used: Unresolved \$ref "#\/\$defs\/missing"\./) })
  })
})

describe('parseJSONAnswer', () => {
  it('honours the draft named by $schema', () => {
    // Draft 4 reads exclusiveMaximum as a boolean; 2020-12 as a number.
    const draft4 = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'number', maximum: 5, exclusiveMaximum: true }
    expect(parseJSONAnswer('5', draft4)).toMatchObject({ ok: false, problem: 'schema-mismatch' })
    expect(parseJSONAnswer('4', draft4)).toEqual({ ok: true, value: 4 })
  })

  it('takes a bare ``` fence and otherwise the whole trimmed text', () => {
    expect(jsonText('```\n[1]\n```')).toBe('[1]')
    expect(jsonText('  {"a":1}\n')).toBe('{"a":1}')
  })
})
