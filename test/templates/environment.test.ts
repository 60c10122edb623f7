import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createTemplateEnv } from '../../src/templates'
import { expectTemplateError, NOW, setup, writeFiles } from './fixture'

describe('createTemplateEnv: rendering', () => {
  it('renders a template file with data and globals', () => {
    const { templates } = setup(
      { 'templates/hello.njk': 'Hello {{ name }} on {{ git.branch }}@{{ git.head }}' },
      { globals: { git: { branch: 'main', head: 'abc123' } } },
    )
    expect(templates.render('hello.njk', { name: 'Ada' })).toBe('Hello Ada on main@abc123')
  })

  it('renders template source with globals, and lets data shadow a global', () => {
    const { templates } = setup({}, { globals: { who: 'global' } })
    expect(templates.renderString('{{ who }}')).toBe('global')
    expect(templates.renderString('{{ who }}', { who: 'data' })).toBe('data')
  })

  it('renders templates in subdirectories and includes from source strings', () => {
    const { templates } = setup({ 'templates/partials/sig.njk': '-- {{ name }}' })
    expect(templates.renderString('Hi\n{% include "partials/sig.njk" %}', { name: 'Ada' })).toBe('Hi\n-- Ada')
  })

  it('resolves includes relative to the including template', () => {
    const { templates } = setup({ 'templates/docs/page.njk': '{% include "./part.njk" %}', 'templates/docs/part.njk': 'part' })
    expect(templates.render('docs/page.njk')).toBe('part')
  })

  it('resolves dirs against the root and accepts absolute dirs and dirs that do not exist', () => {
    const { root } = setup({ 'a/one.njk': 'one', 'b/two.njk': 'two' })
    const templates = createTemplateEnv({ root, dirs: ['missing', 'a', join(root, 'b')], now: () => NOW })
    expect(templates.render('one.njk') + templates.render('two.njk')).toBe('onetwo')
  })

  it('throws on an undefined variable instead of printing an empty string', () => {
    const { templates } = setup()
    expectTemplateError(() => templates.renderString('{{ nmae }}', { name: 'Ada' }), '"nmae" is undefined')
  })

  it('still allows undefined values where a default or a test handles them', () => {
    const { templates } = setup()
    expect(templates.renderString('{{ x | default("none") }}{% if y %}y{% endif %}')).toBe('none')
  })

  it('does not escape HTML by default', () => {
    const { templates } = setup()
    expect(templates.renderString('{{ code }}', { code: '<T>(a: T) => a && "b"' })).toBe('<T>(a: T) => a && "b"')
  })

  it('escapes HTML when autoescape is on, except values marked safe', () => {
    const { templates } = setup({}, { autoescape: true })
    expect(templates.renderString('{{ html }}|{{ html | safe }}', { html: '<b>&"' })).toBe('&lt;b&gt;&amp;&quot;|<b>&"')
  })

  it('exposes the nunjucks environment for advanced use', () => {
    const { templates } = setup()
    templates.env.addFilter('shout', (text: string) => `${text}!`)
    expect(templates.renderString('{{ "hi" | shout }}')).toBe('hi!')
  })

  it('is cheap to re-create, and a new environment sees changed templates', () => {
    const { root, templates } = setup({ 'templates/t.njk': 'v1' })
    expect(templates.render('t.njk')).toBe('v1')
    writeFiles(root, { 'templates/t.njk': 'v2' })
    expect(templates.render('t.njk')).toBe('v1') // cached, as noCache is off
    expect(createTemplateEnv({ root, dirs: ['templates'], now: () => NOW }).render('t.njk')).toBe('v2')
  })
})

describe('createTemplateEnv: template dirs', () => {
  it('gives earlier dirs priority over later ones', () => {
    const { root } = setup({ 'project/t.njk': 'project', 'plugin/t.njk': 'plugin', 'plugin/only.njk': 'plugin only' })
    const templates = createTemplateEnv({ root, dirs: ['project', 'plugin'], now: () => NOW })
    expect(templates.render('t.njk')).toBe('project')
    expect(templates.render('only.njk')).toBe('plugin only')
  })

  it('adds dirs later with the lowest priority, so the project overrides plugin templates', () => {
    const { root, templates } = setup({ 'templates/t.njk': 'project', 'plugin/t.njk': 'plugin', 'plugin/extra.njk': 'extra' })
    expectTemplateError(() => templates.render('extra.njk'), 'Template "extra.njk" not found in templates (')
    templates.addDir('plugin')
    templates.addDir(join(root, 'plugin')) // the same dir again is a no-op
    expect(templates.render('t.njk')).toBe('project')
    expect(templates.render('extra.njk')).toBe('extra')
    expectTemplateError(() => templates.render('none.njk'), 'not found in templates, plugin (')
  })

  it('does not find directories or files of a sibling dir sharing the prefix', () => {
    const { templates } = setup({ 'templates/docs/page.njk': 'x', 'templates-old/t.njk': 'old' })
    expectTemplateError(() => templates.render('docs'), 'Template "docs" not found in templates (')
    expectTemplateError(() => templates.renderString('{% include "../templates-old/t.njk" %}'), '<string>: Template "../templates-old/t.njk" not found in templates (')
  })

  it('refuses an empty dir in addDir', () => {
    const { templates } = setup()
    expectTemplateError(() => templates.addDir(''), 'addDir: a template dir must be a non-empty path, got ""')
  })
})

describe('createTemplateEnv: bad options and arguments', () => {
  const root = setup().root

  it.each([
    ['a relative root', { root: 'repo' }, 'createTemplateEnv: root must be an absolute path, got "repo"'],
    ['a missing root', { root: join(root, 'missing') }, `createTemplateEnv: root "${join(root, 'missing')}" is not a directory`],
    ['dirs that are not a list', { dirs: 'templates' }, 'createTemplateEnv: dirs must be a list of template dirs, got "templates"'],
    ['an empty dir', { dirs: ['templates', ''] }, 'createTemplateEnv: dirs: a template dir must be a non-empty path, got ""'],
    ['a missing clock', { now: undefined }, 'createTemplateEnv: now must be a function returning a Date, got undefined'],
    ['globals that are not an object', { globals: [1] }, 'createTemplateEnv: globals must be an object of variables, got an array'],
    ['a relative temp journal', { tempJournal: 'tmp' }, 'createTemplateEnv: tempJournal must be an absolute dir, got "tmp" (leave it out, or pass <git common dir>/gitvan/tmp)'],
    ['a global named now', { globals: { now: 1 } }, "createTemplateEnv: globals.now is reserved for GitVan's deterministic now()"],
  ])('refuses %s', (_, override, message) => {
    const options = { root, dirs: ['templates'], now: () => NOW, ...override }
    expectTemplateError(() => createTemplateEnv(options as never), message)
  })

  it.each([
    ['an empty name', '', 'Invalid template name ""'],
    ['an absolute name', '/etc/passwd', 'Invalid template name "/etc/passwd": use a path relative to a template dir'],
    ['a name climbing out', '../secret.njk', 'Invalid template name "../secret.njk"'],
    ['a name that is not text', 42, 'Invalid template name 42'],
  ])('refuses %s', (_, name, message) => {
    const { templates } = setup({ 'secret.njk': 'secret' })
    expectTemplateError(() => templates.render(name as string), message)
  })

  it('refuses data that is not an object', () => {
    const { templates } = setup({ 'templates/t.njk': 'x' })
    expectTemplateError(() => templates.render('t.njk', ['a'] as never), 'Data for template "t.njk" must be an object of variables, got an array')
    expectTemplateError(() => templates.renderString('x', 'a' as never), 'Data for <string> must be an object of variables, got "a"')
  })

  it('refuses template source that is not text', () => {
    const { templates } = setup()
    expectTemplateError(() => templates.renderString(undefined as never), 'renderString expects template source text, got undefined')
  })
})
