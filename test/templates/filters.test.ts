import { afterEach, describe, expect, it } from 'vitest'
import { expectTemplateError, setup } from './fixture'

const { templates } = setup()
const render = (source: string, data?: Record<string, unknown>) => templates.renderString(source, data)

describe('date filter and now()', () => {
  const zone = process.env.TZ
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ
    else process.env.TZ = zone
  })

  it('formats every token in UTC', () => {
    const when = new Date('2031-11-09T07:08:09.123Z')
    expect(render("{{ d | date('YYYY-MM-DD HH:mm:ss') }}", { d: when })).toBe('2031-11-09 07:08:09')
    expect(render("{{ d | date('iso') }}", { d: when })).toBe('2031-11-09T07:08:09.123Z')
    expect(render('{{ d | date }}', { d: when })).toBe('2031-11-09T07:08:09.123Z')
  })

  it('keeps text in brackets literal', () => {
    expect(render("{{ d | date('[at] HH:mm [on] DD.MM.') }}", { d: new Date('2024-05-06T07:08:00Z') })).toBe('at 07:08 on 06.05.')
  })

  it('reads ISO strings, git %ci dates and epoch seconds', () => {
    const format = (d: unknown) => render("{{ d | date('YYYY-MM-DD HH:mm:ss') }}", { d })
    expect(format('2024-01-02T03:04:05Z')).toBe('2024-01-02 03:04:05')
    expect(format('2024-01-02T03:04:05+01:00')).toBe('2024-01-02 02:04:05')
    expect(format('2024-01-02 03:04:05 +0100')).toBe('2024-01-02 02:04:05')
    expect(format('2024-01-02T03:04')).toBe('2024-01-02 03:04:00') // no zone: UTC, not local time
    expect(format('2024-01-02')).toBe('2024-01-02 00:00:00')
    expect(format(1_704_164_645)).toBe('2024-01-02 03:04:05')
    expect(format('1704164645')).toBe('2024-01-02 03:04:05')
  })

  it('formats the injected clock for none and now(), never the wall clock', () => {
    expect(render("{{ none | date('YYYY-MM-DD HH:mm') }}")).toBe('2024-01-02 03:04')
    expect(render('{{ now() }}|{{ now("YYYY") }}|{{ now() | date("HH:mm:ss") }}')).toBe('2024-01-02T03:04:05.000Z|2024|03:04:05')
  })

  it('does not depend on the time zone of the machine', () => {
    process.env.TZ = 'Pacific/Kiritimati'
    expect(render("{{ '2024-01-02T23:30' | date('YYYY-MM-DD HH:mm') }}|{{ now('DD HH') }}")).toBe('2024-01-02 23:30|02 03')
  })

  it.each([
    ['an undefined value', '{{ missing | date }}', 'date filter got an undefined value (check the variable name, or write `none | date`'],
    ['text that is not a date', '{{ "yesterday" | date }}', 'date filter cannot read "yesterday" as a date (pass a Date, an ISO 8601 string or epoch seconds)'],
    ['an impossible ISO date', '{{ "2024-13-45" | date }}', 'date filter cannot read "2024-13-45" as a date'],
    ['an object', '{{ {} | date }}', 'date filter cannot read an object as a date'],
    ['a format that is not text', '{{ none | date(5) }}', "date format must be a string like 'YYYY-MM-DD HH:mm', got 5"],
    ['a bad format for now()', '{{ now(true) }}', "<string>: date format must be a string like 'YYYY-MM-DD HH:mm', got true"],
  ])('refuses %s', (_, source, message) => {
    expectTemplateError(() => render(source), message)
  })

  it('refuses an invalid Date and a clock returning one', () => {
    expectTemplateError(() => render('{{ d | date }}', { d: new Date('nope') }), 'date filter cannot read an invalid Date as a date')
    const broken = setup({}, { now: () => new Date(Number.NaN) }).templates
    expectTemplateError(() => broken.renderString('{{ now() }}'), 'the clock given as options.now returned an invalid Date (make it return a valid Date)')
    const text = setup({}, { now: () => '2024' as never }).templates
    expectTemplateError(() => text.renderString('{{ none | date }}'), 'the clock given as options.now returned "2024"')
  })
})

describe('json filter', () => {
  it('encodes values compactly or with an indent', () => {
    expect(render('{{ v | json }}', { v: { a: [1, 'x'], b: null } })).toBe('{"a":[1,"x"],"b":null}')
    expect(render('{{ v | json(2) }}', { v: { a: 1 } })).toBe('{\n  "a": 1\n}')
    expect(render('{{ "say \\"hi\\"" | json }}')).toBe('"say \\"hi\\""')
  })

  it('refuses undefined, unencodable values and bad indents', () => {
    expectTemplateError(() => render('{{ missing | json }}'), 'json filter cannot encode undefined (check the variable name or pass a JSON value)')
    expectTemplateError(() => render('{{ f | json }}', { f: () => 1 }), 'json filter cannot encode a function')
    expectTemplateError(() => render('{{ 1 | json("  ") }}'), 'json filter: indent must be a whole number from 0 to 10, got "  "')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expectTemplateError(() => render('{{ v | json }}', { v: circular }), /^<string>: TypeError: Converting circular structure to JSON/)
  })
})

describe('case filters', () => {
  it.each([
    ['camelCase', 'foo-bar_baz', 'fooBarBaz'],
    ['pascalCase', 'foo-bar', 'FooBar'],
    ['kebabCase', 'fooBar_baz', 'foo-bar-baz'],
    ['snakeCase', 'fooBar-baz', 'foo_bar_baz'],
    ['titleCase', 'hello-world', 'Hello World'],
    ['upperFirst', 'hello world', 'Hello world'],
    ['lowerFirst', 'Hello World', 'hello World'],
  ])('%s', (filter, input, output) => {
    expect(render(`{{ v | ${filter} }}`, { v: input })).toBe(output)
  })

  it('accepts numbers and safe strings', () => {
    expect(render('{{ 42 | kebabCase }}|{{ "a-b" | safe | camelCase }}')).toBe('42|aB')
  })

  it('refuses undefined and non-text values, naming the filter', () => {
    expectTemplateError(() => render('{{ nmae | pascalCase }}'), '<string>: pascalCase filter expects text, got undefined (check the variable name)')
    expectTemplateError(() => render('{{ [1] | snakeCase }}'), 'snakeCase filter expects text, got an array')
  })
})

describe('slug filter', () => {
  it.each([
    ['Hello, World!', 'hello-world'],
    ['  GitVan 2.1 Release Notes  ', 'gitvan-2-1-release-notes'],
    ['Crème Brûlée à la Straße', 'creme-brulee-a-la-strasse'],
    ['Ærøskøbing Łódź Þór', 'aeroskobing-lodz-thor'],
    ['ﬁle Ｆｕｌｌ', 'file-full'],
    ['../../etc/passwd', 'etc-passwd'],
    ['東京 tower 🚀', 'tower'],
  ])('%j → %s', (input, output) => {
    expect(render('{{ v | slug }}', { v: input })).toBe(output)
  })

  it('refuses text with nothing usable in a file name', () => {
    expectTemplateError(() => render('{{ "東京 🚀" | slug }}'), 'slug filter: "東京 🚀" has no letters or digits usable in a file name (pass text with a-z or 0-9)')
    expectTemplateError(() => render('{{ missing | slug }}'), 'slug filter expects text, got undefined')
  })
})
