import { readFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { sh } from '../utils/repo'
import { startFakeOllama } from './fixtures/fake-ollama'
import { startFakeOpenAI } from './fixtures/fake-openai'
import { closedPortURL } from './fixtures/server'

const run = async (repo: string, id: string, env: Record<string, string> = {}) => {
  const { code, stdout, stderr } = await gitvan(['run', id, '--json'], { cwd: repo, env })
  return { code, stderr, ...JSON.parse(stdout) }
}

describe("exec: 'llm' through the real CLI", () => {
  it('renders a template prompt with git globals, writes `out` as the artifact, records the run', async () => {
    const ollama = await startFakeOllama()
    const repo = createProject({
      'gitvan.config.mjs': `export default { llm: { provider: 'ollama', model: 'llama3.2:latest', baseURL: '${ollama.url}' } }\n`,
      'templates/review.njk': 'Review {{ subject }} on {{ git.branch }}',
      'jobs/review.ts': "export default defineJob({ steps: [{ exec: 'llm', template: 'review.njk', data: { subject: 'the diff' }, system: 'Be brief', out: 'out/review.md' }] })\n",
    })
    const { code, result, receipt } = await run(repo, 'review')
    expect(code).toBe(0)
    expect(result.artifact).toBe('out/review.md')
    expect(readFileSync(join(repo, 'out/review.md'), 'utf8')).toBe('echo: Review the diff on main')
    expect(result.meta.steps[0].meta).toMatchObject({ provider: 'ollama', model: 'llama3.2:latest', cached: false })
    expect(ollama.requests.at(-1)!.body).toMatchObject({ system: 'Be brief', options: { temperature: 0, seed: 42 } })
    expect(receipt).toMatchObject({ ok: true, artifact: 'out/review.md' })
  })

  it('with cache: true a rerun on the same commit replays the answer from Git without calling the model', async () => {
    const ollama = await startFakeOllama()
    const repo = createProject({
      'gitvan.config.mjs': `export default { llm: { model: 'llama3.2:latest', baseURL: '${ollama.url}', cache: true } }\n`,
      'jobs/ask.ts': "export default defineJob({ async run() { const r = await useLLM().generate('hello'); return { ok: true, stdout: r.text, meta: { cached: r.cached } } } })\n",
    })
    const first = await run(repo, 'ask')
    const second = await run(repo, 'ask')
    expect([first.result.meta.cached, second.result.meta.cached]).toEqual([false, true])
    expect(second.result.stdout).toBe('echo: hello')
    expect(ollama.requests.filter(r => r.path === '/api/generate')).toHaveLength(1)
    expect(sh(repo, 'ls-tree', '-r', '--name-only', 'refs/gitvan/llm-cache')).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}\.json$/)
  })

  it('json: a schema mismatch is a failed result with the reason; a valid answer is meta.data', async () => {
    const ollama = await startFakeOllama({ answer: request => (request.body.prompt.includes('good') ? '{"title":"x"}' : '{"name":1}') })
    const step = (prompt: string) => `{ exec: 'llm', prompt: '${prompt}', json: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } } }`
    const repo = createProject({
      'gitvan.config.mjs': `export default { llm: { model: 'llama3.2:latest', baseURL: '${ollama.url}' } }\n`,
      'jobs/good.ts': `export default defineJob({ steps: [${step('good')}] })\n`,
      'jobs/bad.ts': `export default defineJob({ steps: [${step('bad')}] })\n`,
    })
    expect((await run(repo, 'good')).result.meta.steps[0].meta.data).toEqual({ title: 'x' })
    const bad = await run(repo, 'bad')
    expect(bad.code).toBe(1)
    expect(bad.result.error).toMatch(/title/)
  })

  it('server down: a one-line reason naming provider, URL and model; the run fails, nothing hangs', async () => {
    const url = await closedPortURL()
    const repo = createProject({
      'gitvan.config.mjs': `export default { llm: { model: 'llama3.2:latest', baseURL: '${url}', maxRetries: 0 } }\n`,
      'jobs/ask.ts': "export default defineJob({ steps: [{ exec: 'llm', prompt: 'hi' }] })\n",
    })
    const { code, result, receipt } = await run(repo, 'ask')
    expect(code).toBe(1)
    expect(receipt.error).toContain(`ollama at ${url} is not reachable`)
    expect(receipt.error).toContain('(model llama3.2:latest)')
    expect(result.error).not.toContain('\n')
  })

  it('the API key comes from the named variable, is sent as a bearer token, and appears in no result, receipt or cache entry', async () => {
    const key = 'sk-test-very-secret-1234'
    const openai = await startFakeOpenAI({ apiKey: key })
    const repo = createProject({
      'gitvan.config.mjs': `export default { llm: { provider: 'openai', model: 'gpt-test', baseURL: '${openai.url}/v1', apiKeyEnv: 'TEST_LLM_KEY', cache: true } }\n`,
      'jobs/ask.ts': "export default defineJob({ steps: [{ exec: 'llm', prompt: 'hi' }, { exec: 'cli', cmd: 'env' }] })\n",
    })
    const { code, result, receipt } = await run(repo, 'ask', { TEST_LLM_KEY: key })
    expect(result.error).toBeUndefined()
    expect(code).toBe(0)
    expect(openai.requests.at(-1)!.headers.authorization).toBe(`Bearer ${key}`)
    expect(JSON.stringify(result)).not.toContain(key)
    expect(JSON.stringify(receipt)).not.toContain(key)
    expect(sh(repo, 'log', '-p', 'refs/gitvan/llm-cache')).not.toContain(key)
    const wrong = await run(repo, 'ask', { TEST_LLM_KEY: 'sk-wrong' })
    expect(wrong.result.meta.steps[0].meta.cached).toBe(true)
  })

  it('refuses a spec with neither or both of prompt and template, and an out path leaving the root', async () => {
    const repo = createProject({
      'jobs/none.ts': "export default defineJob({ steps: [{ exec: 'llm' }] })\n",
      'jobs/both.ts': "export default defineJob({ async run() { return useExec().exec({ exec: 'llm', prompt: 'a', template: 'b' } as any) } })\n",
      'jobs/escape.ts': "export default defineJob({ steps: [{ exec: 'llm', prompt: 'x', out: '../x.md' }] })\n",
    })
    // As a step, the job does not even load; through useExec().exec, the step fails.
    const none = await gitvan(['run', 'none'], { cwd: repo })
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('needs exactly one of `prompt` or `template`')
    expect((await run(repo, 'both')).result.error).toContain('needs exactly one of `prompt` or `template`')
    expect((await run(repo, 'escape')).result.error).toContain('Refusing llm output "../x.md"')
  })
})
