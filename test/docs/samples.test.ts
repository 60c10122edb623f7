/**
 * Every ```ts block of docs/ is checked here, in one temporary project:
 *
 * - a block whose info string names a path (```ts [jobs/docs/changelog.ts]) is written to that path; blocks of other
 *   languages with a path (```njk [templates/changelog.njk]) are written too, so the jobs that use them can run;
 * - a block without a path is a standalone module (written under samples/);
 * - a block for `gitvan.config.ts` is type-checked as a module and loaded through GitVan's config loader (so its
 *   keys and values pass the schema); the project's own config is the one below;
 * - then `gitvan prepare` and `tsc --noEmit` over the whole project, and every job block is run for real (one
 *   `gitvan run` of a composite job calling them all) and must end `ok`. Flags after the path: `norun` (type-check
 *   only), `fails` (the run must fail), `payload=<json>` (the run's payload).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { join, relative } from 'pathe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadGitVanConfig } from '../../src/config/load'
import { jobIdFromPath } from '../../src/jobs/scan'
import { gitvan, projectRoot } from '../utils/cli'
import { createProject, writeFiles } from '../utils/project'

interface Block {
  /** `docs/exec.md:42` */
  where: string
  lang: string
  path?: string
  flags: string[]
  payload?: unknown
  code: string
}

const docsDir = join(projectRoot, 'docs')

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(path)
    return entry.name.endsWith('.md') ? [path] : []
  }).sort()
}

/** Fenced blocks (``` only, at the start of a line) with their info strings. */
function extractBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)(.*)$/.exec(lines[i]!)
    if (!open) continue
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!)
    const info = open[2]!.trim()
    const path = /^\[([^\]]+)\]/.exec(info)?.[1]
    const flags = info.replace(/^\[[^\]]+\]/, '').trim().split(/\s+/).filter(Boolean)
    const payload = flags.find(flag => flag.startsWith('payload='))
    blocks.push({
      where: `${relative(projectRoot, file)}:${start + 1}`,
      lang: open[1]!,
      path,
      flags,
      payload: payload ? JSON.parse(payload.slice('payload='.length)) : undefined,
      code: `${body.join('\n')}\n`,
    })
  }
  return blocks
}

const blocks = markdownFiles(docsDir).flatMap(file => extractBlocks(file, readFileSync(file, 'utf8')))
const tsBlocks = blocks.filter(block => block.lang === 'ts')
const configBlocks = tsBlocks.filter(block => block.path === 'gitvan.config.ts')

/** A stand-in for Ollama on 127.0.0.1, so the LLM examples run for real: JSON when asked for JSON, else text. */
let llmURL = ''
const server = createServer(async (request, response) => {
  let raw = ''
  for await (const chunk of request) raw += chunk
  const body = raw ? JSON.parse(raw) : {}
  const text = body.format ? JSON.stringify({ type: 'feat', breaking: false, summary: 'adds the docs' }) : 'Adds the docs.'
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ model: body.model, response: text, message: { role: 'assistant', content: text }, done: true, done_reason: 'stop' }))
})

beforeAll(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  llmURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

describe('docs code samples', () => {
  it('every ts block has a place, and no two blocks claim one file with different content', () => {
    expect(tsBlocks.length).toBeGreaterThan(10)
    const seen = new Map<string, Block>()
    for (const block of blocks.filter(block => block.path && block.path !== 'gitvan.config.ts')) {
      const other = seen.get(block.path!)
      if (other && other.code !== block.code) throw new Error(`${block.where} and ${other.where} both write ${block.path} with different content`)
      seen.set(block.path!, block)
    }
    for (const block of tsBlocks) {
      for (const flag of block.flags) {
        if (!['norun', 'fails'].includes(flag) && !flag.startsWith('payload=')) throw new Error(`${block.where}: unknown flag "${flag}"`)
      }
    }
  })

  it('config examples load through GitVan\'s config loader', async () => {
    expect(configBlocks.length).toBeGreaterThan(0)
    const repo = createProject({})
    for (const [index, block] of configBlocks.entries()) {
      const file = `config-${index}.ts`
      writeFiles(repo, { [file]: block.code })
      await expect(loadGitVanConfig({ cwd: repo, configFile: join(repo, file) }), block.where).resolves.toBeDefined()
    }
  })

  it('type-check with `gitvan prepare` + tsc, and the job examples run', async () => {
    const files: Record<string, string> = {}
    const jobs: { id: string; block: Block }[] = []
    for (const [index, block] of blocks.entries()) {
      if (block.path === 'gitvan.config.ts') {
        files[`samples/config/${index}.ts`] = block.code
      } else if (block.path) {
        files[block.path] = block.code
        const id = block.lang === 'ts' && block.path.startsWith('jobs/') ? jobIdFromPath(block.path.slice('jobs/'.length)) : null
        if (id && !block.flags.includes('norun') && !jobs.some(job => job.id === id)) jobs.push({ id, block })
      } else if (block.lang === 'ts') {
        files[`samples/${index}.ts`] = block.code
      }
    }
    // One composite job runs every example job, each step on its own (continueOnError), so one CLI call suffices.
    const steps = jobs.map(({ id, block }) => ({ exec: 'job', job: id, name: id, continueOnError: true, ...(block.payload === undefined ? {} : { payload: block.payload }) }))
    files['jobs/docs-samples.ts'] = `export default defineJob({ steps: ${JSON.stringify(steps)} as any })\n`
    files['gitvan.config.ts'] = [
      "import { defineGitVanConfig } from 'gitvan'",
      'export default defineGitVanConfig({',
      "  plugins: ['gitvan-plugin-notify'],",
      `  llm: { provider: 'ollama', baseURL: '${llmURL}', model: 'llama3.2', maxRetries: 0 },`,
      '})',
      '',
    ].join('\n')
    files['tsconfig.json'] = JSON.stringify({
      extends: './.gitvan/tsconfig.json',
      include: ['.gitvan/types/**/*.d.ts', '**/*.ts'],
      exclude: ['node_modules'],
    })
    const repo = createProject(files)
    mkdirSync(join(repo, 'node_modules'))
    symlinkSync(join(projectRoot, 'playground/packages/gitvan-plugin-notify'), join(repo, 'node_modules/gitvan-plugin-notify'), 'dir')
    writeFileSync(join(repo, '.gitignore'), 'node_modules/\n.gitvan/\n')

    const prepare = await gitvan(['prepare'], { cwd: repo })
    expect(prepare.stderr).toBe('')
    expect(prepare.code).toBe(0)

    const tsc = spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd: repo, encoding: 'utf8' })
    // Name the doc block behind each error: samples/<index>.ts, or the path a block wrote.
    const explained = tsc.stdout.replace(/^(samples\/(?:config\/)?(\d+)\.ts|[^\s(]+\.ts)/gm, (file, _whole, index?: string) => {
      const block = index !== undefined ? blocks[Number(index)] : blocks.find(b => b.path === file)
      return block ? `${file} (${block.where})` : file
    })
    expect(explained).toBe('')
    expect(tsc.status).toBe(0)

    const run = await gitvan(['run', 'docs-samples', '--json'], { cwd: repo, timeout: 120_000 })
    const output = JSON.parse(run.stdout) as { result: { meta: { steps: { step: string; ok: boolean; error?: string }[] } } }
    const results = output.result.meta.steps
    expect(results.map(step => step.step)).toEqual(jobs.map(job => job.id))
    const wrong = results.flatMap((step, index) => {
      const { block } = jobs[index]!
      const expected = !block.flags.includes('fails')
      return step.ok === expected ? [] : [`${block.where} (${step.step}): expected ${expected ? 'ok' : 'a failure'}, got ${step.ok ? 'ok' : step.error}`]
    })
    expect(wrong).toEqual([])
  }, 120_000)
})
