import { describe, expect, it } from 'vitest'
import { join } from 'pathe'
import { createTemplateEnv } from '../../src/templates'
import { tempDir } from '../utils/repo'
import { expectTemplateError, NOW, setup, writeFiles } from './fixture'

describe('template errors', () => {
  it('reports a missing template with the dirs searched', () => {
    const { root } = setup()
    const templates = createTemplateEnv({ root, dirs: ['templates', 'plugins/x/templates'], now: () => NOW })
    const error = expectTemplateError(() => templates.render('x.njk'), /^Template "x\.njk" not found in templates, plugins\/x\/templates \(create it or fix the name\)$/)
    expect(error.template).toBeUndefined()
  })

  it('says so when there are no dirs', () => {
    const { root } = setup()
    const templates = createTemplateEnv({ root, dirs: [], now: () => NOW })
    expectTemplateError(() => templates.render('x.njk'), 'Template "x.njk" not found in no template dirs (create it or fix the name)')
  })

  it('reports a missing include in the template that includes it', () => {
    const { templates } = setup({ 'templates/page.njk': 'a\n{% include "nav.njk" %}' })
    expectTemplateError(() => templates.render('page.njk'), /^templates\/page\.njk: Template "nav\.njk" not found in templates \(create it/)
  })

  it('reports a syntax error as template:line:column', () => {
    const { templates } = setup({ 'templates/bad.njk': 'ok\nok\n  {% if %}\n' })
    const error = expectTemplateError(() => templates.render('bad.njk'), /^templates\/bad\.njk:3:9: unexpected token: %}$/)
    expect([error.template, error.line, error.column]).toEqual(['templates/bad.njk', 3, 9])
  })

  it('reports syntax errors in source strings as <string>', () => {
    const { templates } = setup()
    expectTemplateError(() => templates.renderString('{{ "a" }'), /^<string>:1:8: expected variable end$/)
    expectTemplateError(() => templates.renderString('{% if x %}'), /^<string>:1:11: expected elif, else, or endif, got end of file$/)
  })

  it('places a syntax error at the end of the file where the file ends too early', () => {
    const { templates } = setup({ 'templates/open.njk': 'Hi\n{% for x in xs %}\n{{ x }}\n' })
    const error = expectTemplateError(() => templates.render('open.njk', { xs: [] }), /^templates\/open\.njk:4:1: unexpected end of file$/)
    expect([error.line, error.column]).toEqual([4, 1])
  })

  it('reports a syntax error in an included template where it is, through the including one, and the process goes on', () => {
    const { templates } = setup({ 'templates/page.njk': 'page\n{% include "nav.njk" %}\n', 'templates/nav.njk': 'nav\n{{ items }\n' })
    // Nunjucks used to throw this on a later tick, out of reach of any catch: vitest fails the file on such errors.
    expectTemplateError(() => templates.render('page.njk', { items: [] }), /^templates\/nav\.njk:2:10: expected variable end \(via templates\/page\.njk\)$/)
    expectTemplateError(() => templates.render('page.njk', { items: [] }), /^templates\/nav\.njk:2:10: expected variable end/)
  })

  it('names the undefined variable, its template and place', () => {
    const { templates } = setup({ 'templates/readme.njk': '# {{ title }}\n\nBy {{- git.autor -}} .' }, { globals: { git: {} } })
    const error = expectTemplateError(
      () => templates.render('readme.njk', { title: 'T' }),
      /^templates\/readme\.njk:3:4: "git\.autor" is undefined or null \(pass it in the data or globals, fix the name, or write \{\{ git\.autor \| default\(""\) \}\}\)$/,
    )
    expect([error.line, error.column]).toEqual([3, 4])
  })

  it('names an undefined expression spread over lines, and null values', () => {
    const { templates } = setup()
    expectTemplateError(() => templates.renderString('x\n{{\n  user.name\n}}'), '<string>:2:1: "user.name" is undefined or null')
    expectTemplateError(() => templates.renderString('{{ v }}', { v: null }), '<string>:1:1: "v" is undefined or null')
  })

  it('reports an error in an included template where it is, and through which templates', () => {
    const { templates } = setup({
      'templates/page.njk': 'page\n{% include "body.njk" %}',
      'templates/body.njk': 'body\n{% include "footer.njk" %}',
      'templates/footer.njk': 'footer\n{{ year }}',
    })
    const error = expectTemplateError(
      () => templates.render('page.njk'),
      /^templates\/footer\.njk:2:1: "year" is undefined or null .* \(via templates\/body\.njk, templates\/page\.njk\)$/,
    )
    expect(error.template).toBe('templates/footer.njk')
  })

  it('shows templates outside the root by absolute path', () => {
    const plugin = tempDir('gitvan-plugin-')
    writeFiles(plugin, { 'p.njk': '{{ missing }}' })
    const { templates } = setup()
    templates.addDir(plugin)
    expectTemplateError(() => templates.render('p.njk'), `${join(plugin, 'p.njk')}:1:1: "missing" is undefined`)
  })

  it('reports a syntax error in a parent template', () => {
    const { templates } = setup({ 'templates/child.njk': '{% extends "base.njk" %}', 'templates/base.njk': 'x\n{% block %}' })
    expectTemplateError(() => templates.render('child.njk'), /^templates\/base\.njk:2:10: unexpected token: %} \(via templates\/child\.njk\)$/)
  })

  it('reports an error thrown by a function at its call and keeps it as the cause', () => {
    const boom = new TypeError('no such commit\nsecond line')
    const fail = () => {
      throw boom
    }
    const { templates } = setup({}, { globals: { fail } })
    const error = expectTemplateError(() => templates.renderString('a\n  {{ fail() }}'), /^<string>:2:10: TypeError: no such commit second line$/)
    expect(error.cause).toBe(boom)
  })

  it('reports an unknown filter', () => {
    const { templates } = setup()
    expectTemplateError(() => templates.renderString('{{ "x" | slugify }}'), '<string>: unknown filter "slugify" (check its name, or register it with env.addFilter)')
  })

  it('gives errors of GitVan filters without a (possibly wrong) position', () => {
    const { templates } = setup({}, { globals: { f: () => 'ok' } })
    const error = expectTemplateError(() => templates.renderString('{{ f() }}\n{{ "x" | date }}'), /^<string>: date filter cannot read "x"/)
    expect(error.line).toBeUndefined()
  })
})
