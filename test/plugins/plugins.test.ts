import { describe, expect, it } from 'vitest'
import { createGitVan } from '../../src/app/create'
import { gitvanPackage } from '../../src/utils/self'
import { RECORD, createTestApp, recorded } from '../hooks/fixture'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'

/** A package in the project's node_modules, as npm would install it (ESM, importing the running GitVan). */
const pkg = (name: string, source: string) => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, type: 'module', exports: { '.': { import: './index.mjs' } } }),
  [`node_modules/${name}/index.mjs`]: source,
})
const failsWith = (files: Record<string, string>) => createGitVan({ cwd: createProject(files) })
const config = (body: string) => ({ 'gitvan.config.ts': `export default ${body}\n` })

describe('plugins', () => {
  it('merges options: inline > config[configKey] > defaults; packages import the running gitvan; app.plugins lists them', async () => {
    const { app } = await createTestApp({
      ...pkg('gitvan-plugin-opts', `import { defineGitVanPlugin } from 'gitvan/kit'
export default defineGitVanPlugin({
  meta: { name: 'gitvan-plugin-opts', version: '1.2.3', configKey: 'opts', compatibility: '^${gitvanPackage().version}' },
  defaults: { a: 'default', b: 'default', c: 'default', nested: { x: 1, y: 1 } },
  setup(options, gitvan) { gitvan.addExecType('opts', () => ({ ok: true, stdout: JSON.stringify(options), durationMs: 0 })) },
})
`),
      ...config(`{ plugins: [['gitvan-plugin-opts', { a: 'inline', nested: { x: 3 } }]], opts: { a: 'config', b: 'config', nested: { y: 2 } } }`),
    })
    const options = { a: 'inline', b: 'config', c: 'default', nested: { x: 3, y: 2 } }
    expect(app.plugins).toEqual([{ meta: expect.objectContaining({ name: 'gitvan-plugin-opts', version: '1.2.3' }), options, source: 'plugins[0] in gitvan.config.ts' }])
    expect(app.execTypes.get('opts')?.owner).toBe('gitvan-plugin-opts')
  })

  it('defaults may be a function of the app (awaited, owning what it registers), merged under the config\'s options', async () => {
    const { root, app } = await createTestApp({
      'plugins/dirs.ts': `export default defineGitVanPlugin({
  meta: { name: 'dirs', configKey: 'dirs' },
  async defaults(gitvan) {
    gitvan.addExecType('dirs', () => ({ ok: true, durationMs: 0 }))
    return { root: gitvan.repo.root, out: 'out', nested: { a: 1, b: 1 } }
  },
})
`,
      ...config(`{ dirs: { out: 'dist', nested: { b: 2 } } }`),
    })
    expect(app.plugins[0]!.options).toEqual({ root, out: 'dist', nested: { a: 1, b: 2 } })
    expect(app.execTypes.get('dirs')?.owner).toBe('dirs')
  })

  it('installs local plugins from plugins/ after the config\'s, sorted, with auto-imports; each name once', async () => {
    const local = (name: string) => `export default defineGitVanPlugin({ meta: { name: ${JSON.stringify(name)} }, setup: () => record(useLabel(${JSON.stringify(name)})) })\n`
    const { app } = await createTestApp({
      'composables/label.ts': 'export const useLabel = (name: string) => `installed ${name}`\n',
      'plugins/b.ts': `${RECORD}${local('b')}`,
      'plugins/a.ts': `import { helper } from './_helper'\n${RECORD}${local('a')}helper()\n`,
      'plugins/_helper.ts': 'export const helper = () => useLabel(\'helper\')\n',
      'plugins/c/index.ts': `${RECORD}${local('c')}`,
      'plugins/c/other.ts': 'throw new Error(\'not a plugin entry\')\n',
      'plugins/dup.ts': `${RECORD}${local('inline')}`,
      ...config(`{ plugins: [{ meta: { name: 'inline' }, setup: () => { (globalThis.__gitvanTest ??= []).push('installed inline') } }] }`),
    })
    expect(recorded()).toEqual(['installed inline', 'installed a', 'installed b', 'installed c'])
    expect(app.plugins.map(p => [p.meta.name, p.source])).toEqual([
      ['inline', 'plugins[0] in gitvan.config.ts'],
      ['a', 'local plugin plugins/a.ts'],
      ['b', 'local plugin plugins/b.ts'],
      ['c', 'local plugin plugins/c/index.ts'],
    ])
  })

  it('adds jobs dirs, template dirs, imports and imports dirs that jobs then use', async () => {
    const { app } = await createTestApp({
      'vendor/jobs/greet.ts': 'export default defineJob({ run: () => ({ ok: true, stdout: useTemplate().render(\'greet.njk\', { who: shout(useWho()) }) }) })\n',
      'vendor/templates/greet.njk': 'hello {{ who }}',
      'vendor/who.ts': 'export const useWho = () => \'ada\'\n',
      'vendor/lib/shout.ts': 'export const shout = (text: string) => text.toUpperCase()\n',
      'gitvan.config.ts': `export default { plugins: [{
  meta: { name: 'vendor' },
  setup(_options, gitvan) {
    const dir = gitvan.repo.root + '/vendor'
    gitvan.addJobsDir(dir + '/jobs')
    gitvan.addTemplatesDir('vendor/templates')
    gitvan.addImports({ name: 'useWho', from: dir + '/who.ts' })
    gitvan.addImportsDir('vendor/lib')
  },
}] }
`,
    })
    expect((await app.runJob('greet')).result).toMatchObject({ ok: true, stdout: 'hello ADA' })
  })

  it('loads a plugin by relative path from the root', async () => {
    const { app } = await createTestApp({
      'tools/my-plugin.ts': 'export default defineGitVanPlugin({ meta: { name: \'mine\' } })\n',
      ...config(`{ plugins: ['./tools/my-plugin'] }`),
    })
    expect(app.plugins.map(p => p.meta.name)).toEqual(['mine'])
  })

  it('a package that is not installed in the project (even if GitVan has it) names the plugin, the entry and the fix', async () => {
    const files = config(`{ plugins: ['./tools/none.ts', 'defu'] }`)
    const root = createProject({ ...files, 'tools/none.ts': 'export default { meta: { name: \'none\' } }\n' })
    await expect(createGitVan({ cwd: root })).rejects.toThrow(`Plugin "defu" (plugins[1] in gitvan.config.ts) failed to load: Cannot find package "defu" from ${root}: run \`npm install defu\` there`)
    const missingFile = createProject(config(`{ plugins: ['./tools/nope'] }`))
    await expect(createGitVan({ cwd: missingFile })).rejects.toThrow(`Plugin "./tools/nope" (plugins[0] in gitvan.config.ts) failed to load: Cannot find ${missingFile}/tools/nope: check the path (relative to ${missingFile})`)
  })

  it('setup throwing, an incompatible GitVan, bad options: errors name the plugin and its entry', async () => {
    const version = gitvanPackage().version
    await expect(failsWith(config(`{ plugins: [{ meta: { name: 'ok' } }, { meta: { name: 'boom' }, setup() { throw new Error('kaboom\\nmore') } }] }`))).rejects.toThrow(/^Plugin "boom" \(plugins\[1\] in gitvan\.config\.ts\) failed to set up: kaboom$/)
    await expect(failsWith({ ...pkg('gitvan-plugin-old', 'export default { meta: { name: \'gitvan-plugin-old\', compatibility: \'^1.0.0 || ^3\' } }\n'), ...config(`{ plugins: ['gitvan-plugin-old'] }`) }))
      .rejects.toThrow(`Plugin "gitvan-plugin-old" (plugins[0] in gitvan.config.ts) needs GitVan ^1.0.0 || ^3 but this is GitVan ${version}: upgrade GitVan, or install a version of the plugin made for ${version}`)
    await expect(failsWith({ 'plugins/x.ts': 'export default defineGitVanPlugin({ meta: { name: \'x\', configKey: \'x\' } })\n', ...config(`{ x: 'yes' }`) }))
      .rejects.toThrow('Plugin "x" (local plugin plugins/x.ts) reads its options from `x` in gitvan.config.ts, which must be an object, got "yes"')
  })

  it.each([
    ['[42]', 'Invalid plugin entry plugins[0] in gitvan.config.ts: expected a package name, [name, { options }] or defineGitVanPlugin({ ... }), got 42'],
    ['[\'\']', 'Invalid plugin entry plugins[0] in gitvan.config.ts: expected a package name, [name, { options }] or defineGitVanPlugin({ ... }), got ""'],
    ['[[\'a\', \'b\']]', 'Invalid plugin entry plugins[0] in gitvan.config.ts: expected a package name, [name, { options }] or defineGitVanPlugin({ ... }), got an array of 2'],
    ['[[\'a\', {}, {}]]', 'got an array of 3'],
    ['[{ meta: {} }]', 'Plugin "inline plugin" (plugins[0] in gitvan.config.ts) is not a valid GitVan plugin: `meta.name` must be a non-empty string'],
    ['[{ meta: { name: \'p\', compatibility: \'latest\' } }]', 'Plugin "p" (plugins[0] in gitvan.config.ts) is not a valid GitVan plugin: `meta.compatibility` "latest" is not a version range: "latest" in "latest" is not a comparator like ^2.1.0, >=2.1.0 or 2.1.0'],
    ['[{ meta: { name: \'p\', configKey: 3 } }]', '`meta.configKey` must be a non-empty string'],
    ['[{ meta: { name: \'p\' }, setup: true }]', '`setup` must be a function'],
    ['[{ meta: { name: \'p\' }, defaults: [] }]', '`defaults` must be an object'],
    ['[{ meta: { name: \'p\', version: \'\' } }]', 'Plugin "p" (plugins[0] in gitvan.config.ts) is not a valid GitVan plugin: `meta.version` must be a non-empty string'],
    ['[{ meta: { name: \'p\', configKey: \'daemon\' } }]', 'is not a valid GitVan plugin: `meta.configKey` "daemon" is one of GitVan\'s own config keys: choose another'],
    ['[{ meta: { name: \'p\' }, defaults: () => [1] }]', 'Plugin "p" (plugins[0] in gitvan.config.ts): its `defaults` function must return an object, got an array of 1'],
    ['[{ meta: { name: \'p\' }, defaults: () => { throw new Error(\'no home\') } }]', 'Plugin "p" (plugins[0] in gitvan.config.ts) failed to make its defaults: no home'],
    ['[{ meta: { name: \'p\' }, hooks: [] }]', 'Plugin "p" (plugins[0] in gitvan.config.ts) failed to set up: `hooks` in plugin "p" must be an object like { \'job:after\': (event, result) => {} }, got an empty array'],
  ])('refuses plugins: %s', async (plugins, message) => {
    await expect(failsWith(config(`{ plugins: ${plugins} }`))).rejects.toThrow(message)
  })

  it('refuses plugin files that do not load or export no plugin', async () => {
    await expect(failsWith({ 'plugins/broken.ts': 'export default defineGitVanPlugin({ meta: { name: \'broken\' }\n' }))
      .rejects.toThrow(/^Plugin "plugins\/broken\.ts" \(local plugin plugins\/broken\.ts\) failed to load: /)
    await expect(failsWith({ 'plugins/none.ts': 'export const plugin = 1\n' }))
      .rejects.toThrow('Plugin "plugins/none.ts" (local plugin plugins/none.ts) failed to load: plugins/none.ts has no default export: add `export default defineGitVanPlugin({ ... })`')
    await expect(failsWith({ ...pkg('gitvan-plugin-fn', 'export default () => {}\n'), ...config(`{ plugins: ['gitvan-plugin-fn'] }`) }))
      .rejects.toThrow('Plugin "gitvan-plugin-fn" (plugins[0] in gitvan.config.ts) is not a valid GitVan plugin: expected defineGitVanPlugin({ meta: { name }, setup }), got a function')
  })

  it('warns, one line each, about unknown config keys (not those plugins claim), twice-listed plugins and unknown GitVan hooks', async () => {
    const root = createProject({
      'plugins/claims.ts': 'export default defineGitVanPlugin({ meta: { name: \'claims\', configKey: \'claimed\' } })\n',
      'plugins/zz-again.ts': 'export default defineGitVanPlugin({ meta: { name: \'claims\' } })\n',
      ...config(`{ claimed: {}, jobDir: 'x', mystery: 1, hooks: { 'job:aftr': () => {}, 'my:own': () => {} } }`),
    })
    const { code, stdout, stderr } = await gitvan(['list'], { cwd: root })
    expect(code).toBe(0)
    expect(stdout).toContain('No jobs found')
    expect(stderr.split('\n').filter(line => line.trim()).map(line => line.replace(/^.*\[gitvan:\w+\]\s+(WARN\s+)?/, ''))).toEqual([
      'Unknown hook "job:aftr" in gitvan.config.ts: GitVan never calls it; did you mean job:after?',
      'Plugin "claims" is listed twice (local plugin plugins/claims.ts and local plugin plugins/zz-again.ts): installed once, from local plugin plugins/claims.ts; remove the other',
      'Unknown key "jobDir" in gitvan.config.ts: neither GitVan nor an installed plugin reads it; did you mean jobsDir?',
      'Unknown key "mystery" in gitvan.config.ts: neither GitVan nor an installed plugin reads it; remove it, or install the plugin that reads it',
    ])
  })
})
