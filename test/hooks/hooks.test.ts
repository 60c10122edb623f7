import { readFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createGitVan } from '../../src/app/create'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { RECORD, createTestApp, recorded } from './fixture'

const job = (stdout: string) => `export default defineJob({ run: () => ({ ok: true, stdout: ${JSON.stringify(stdout)} }) })\n`

describe('hooks', () => {
  it('run in registration order (config, plugin hooks, plugin setup, app.hook), each awaited, around the whole lifecycle', async () => {
    const { app } = await createTestApp({
      'gitvan.config.ts': `${RECORD}export default {
  hooks: {
    'config:resolved': () => record('config:resolved'),
    'exec:types': () => record('exec:types'),
    'llm:providers': () => record('llm:providers'),
    'job:before': [() => record('config:before:1'), () => record('config:before:2')],
    'job:after': (event, result) => record('config:after:' + event.id + ':' + result.stdout),
    'receipt:written': receipt => record('receipt:' + receipt.job),
    close: () => record('close'),
  },
  plugins: [{
    meta: { name: 'recorder' },
    hooks: { 'job:before': () => record('plugin:before') },
    setup(_options, gitvan) {
      record('plugin:setup')
      gitvan.hook('job:before', () => record('plugin:setup:before'))
    },
  }],
}
`,
      'jobs/a.ts': job('x'),
    })
    app.hook('job:before', () => {
      recorded().push('app:before')
    })
    expect(recorded()).toEqual(['plugin:setup', 'config:resolved', 'exec:types', 'llm:providers'])
    recorded().length = 0
    const run = await app.runJob('a')
    expect(run.result).toMatchObject({ ok: true, stdout: 'x' })
    await app.close()
    expect(recorded()).toEqual(['config:before:1', 'config:before:2', 'plugin:before', 'plugin:setup:before', 'app:before', 'config:after:a:x', 'receipt:a', 'close'])
  })

  it('a throwing config hook and a throwing plugin hook are reported with their names; the other hooks and the run go on', async () => {
    const root = createProject({
      'gitvan.config.ts': `import { writeFileSync } from 'node:fs'
export default {
  hooks: { 'job:after': [() => { throw new Error('config boom\\nsecond line') }, () => { globalThis.afterRan = true }] },
  plugins: [{
    meta: { name: 'gitvan-plugin-thrower' },
    hooks: { 'job:before': () => { throw new Error('plugin boom') } },
    setup(_options, gitvan) {
      gitvan.hook('job:after', async () => { await null; throw new Error('late boom') })
      gitvan.hook('job:after', () => writeFileSync(gitvan.repo.root + '/last-hook.txt', 'afterRan=' + globalThis.afterRan))
    },
  }],
}
`,
      'jobs/a.ts': job('done'),
    })
    const { code, stdout, stderr } = await gitvan(['run', 'a'], { cwd: root })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^done\na ok in \d+ ms; receipt on/)
    expect(readFileSync(join(root, 'last-hook.txt'), 'utf8')).toBe('afterRan=true')
    // One line each, in the order they ran (the reporter's decoration depends on the terminal).
    expect(stderr.split('\n').filter(line => line.trim()).map(line => line.replace(/^.*\[gitvan:hooks\]\s+(ERROR\s+)?/, ''))).toEqual([
      'Hook "job:before" of gitvan-plugin-thrower failed and was skipped: plugin boom',
      'Hook "job:after" of gitvan.config failed and was skipped: config boom',
      'Hook "job:after" of gitvan-plugin-thrower failed and was skipped: late boom',
    ])
  })

  it('jobs:scanned can remove and add jobs', async () => {
    const { app, root } = await createTestApp({
      'gitvan.config.ts': `export default {
  plugins: [{
    meta: { name: 'scanner' },
    setup(_options, gitvan) {
      gitvan.hook('jobs:scanned', (jobs) => {
        jobs.splice(jobs.findIndex(job => job.id === 'hidden'), 1)
        jobs.push({ id: 'extra', file: gitvan.repo.root + '/more/extra.ts', dir: gitvan.repo.root + '/more' })
      })
    },
  }],
}
`,
      'jobs/hidden.ts': job('hidden'),
      'jobs/shown.ts': job('shown'),
      'more/extra.ts': job('extra'),
    })
    expect((await app.scanJobs()).map(j => [j.id, j.file])).toEqual([['shown', `${root}/jobs/shown.ts`], ['extra', `${root}/more/extra.ts`]])
    expect((await app.runJob('extra')).result.stdout).toBe('extra')
    await expect(app.runJob('hidden')).rejects.toThrow('Unknown job "hidden"')
  })

  it('exec:types registers exec types owned by whoever registered the hook', async () => {
    const { app } = await createTestApp({
      'gitvan.config.ts': `export default {
  hooks: { 'exec:types': register => register('upper', spec => ({ ok: true, stdout: spec.text.toUpperCase(), durationMs: 0 })) },
  plugins: [{ meta: { name: 'lower' }, hooks: { 'exec:types': register => register('lower', spec => ({ ok: true, stdout: spec.text.toLowerCase(), durationMs: 0 })) } }],
}
`,
      'jobs/shout.ts': 'export default defineJob({ steps: [{ exec: \'upper\', text: \'Hi\' }, { exec: \'lower\', text: \'Ho\' }] })\n',
    })
    expect(app.execTypes.get('upper')?.owner).toBe('gitvan.config')
    expect(app.execTypes.get('lower')?.owner).toBe('lower')
    const { result } = await app.runJob('shout')
    expect(result.meta?.steps).toMatchObject([{ ok: true, stdout: 'HI' }, { ok: true, stdout: 'ho' }])
  })

  it('exec type clashes (two plugins, through setup or exec:types; a built-in) and bad names are errors naming the owners', async () => {
    const viaSetup = createProject({
      'gitvan.config.ts': `const plugin = name => ({ meta: { name }, setup: (_o, gitvan) => gitvan.addExecType('notify', () => ({ ok: true, durationMs: 0 })) })
export default { plugins: [plugin('plugin-a'), plugin('plugin-b')] }
`,
    })
    await expect(createGitVan({ cwd: viaSetup })).rejects.toThrow('Plugin "plugin-b" (plugins[1] in gitvan.config.ts) failed to set up: Exec type "notify" is registered twice: by plugin-a and by plugin-b; remove one of them')
    const viaHook = createProject({
      'gitvan.config.ts': `const plugin = name => ({ meta: { name }, hooks: { 'exec:types': register => register('notify', () => ({ ok: true, durationMs: 0 })) } })
export default { plugins: [plugin('plugin-a'), plugin('plugin-b')] }
`,
    })
    await expect(createGitVan({ cwd: viaHook })).rejects.toThrow(/^Exec type "notify" is registered twice: by plugin-a and by plugin-b; remove one of them$/)
    const builtin = createProject({ 'gitvan.config.ts': 'export default { hooks: { \'exec:types\': register => register(\'cli\', () => ({ ok: true, durationMs: 0 })) } }\n' })
    await expect(createGitVan({ cwd: builtin })).rejects.toThrow('Exec type "cli" is registered twice: by gitvan and by gitvan.config; remove one of them')
    const badName = createProject({ 'gitvan.config.ts': 'export default { hooks: { \'exec:types\': register => register(\'two words\', () => ({ ok: true, durationMs: 0 })) } }\n' })
    await expect(createGitVan({ cwd: badName })).rejects.toThrow('Exec type name "two words" from gitvan.config is invalid: use letters, digits, "-" or "_"')
  })

  it('llm:providers sees the registry with the providers plugins added', async () => {
    const provider = '{ name: \'fake\', generate: async () => ({}), chat: async () => ({}) }'
    const { app } = await createTestApp({
      'gitvan.config.ts': `${RECORD}export default {
  hooks: { 'llm:providers': registry => record(registry.names().join(',')) },
  plugins: [{ meta: { name: 'fake-llm' }, setup: (_o, gitvan) => gitvan.addLLMProvider(${provider}) }],
}
`,
    })
    expect(recorded()).toEqual(['fake,ollama,openai'])
    expect(app.llmProviders.get('fake').name).toBe('fake')
    const duplicate = createProject({ 'gitvan.config.ts': `export default { plugins: [{ meta: { name: 'twice' }, setup: (_o, gitvan) => gitvan.addLLMProvider({ ...${provider}, name: 'ollama' }) }] }\n` })
    await expect(createGitVan({ cwd: duplicate })).rejects.toThrow('Plugin "twice" (plugins[0] in gitvan.config.ts) failed to set up: cannot add LLM provider "ollama": "ollama" is already registered (the built-in one)')
  })

  it('refuses hooks that are not functions, naming the hook and the file', async () => {
    const notFunction = createProject({ 'gitvan.config.ts': 'export default { hooks: { \'job:after\': \'notify\' } }\n' })
    await expect(createGitVan({ cwd: notFunction })).rejects.toThrow('`hooks["job:after"]` in gitvan.config.ts must be a function or an array of functions, got "notify"')
    const inPlugin = createProject({ 'gitvan.config.ts': 'export default { plugins: [{ meta: { name: \'p\' }, hooks: { \'job:before\': [() => {}, 42] } }] }\n' })
    await expect(createGitVan({ cwd: inPlugin })).rejects.toThrow('Plugin "p" (plugins[0] in gitvan.config.ts) failed to set up: `hooks["job:before"]` in plugin "p" must be a function or an array of functions, got an array of 2')
  })
})
