import { describe, expect, it } from 'vitest'
import { describeValue } from '../src/utils/describe'
import { arrayOf, either, every, is, keyPath, object, oneOf, optional, recordOf, secret } from '../src/utils/rules'

const string = is(value => typeof value === 'string', 'a string')

describe('describeValue: what every message shows it found', () => {
  it.each<[unknown, string]>([
    ['text', '"text"'],
    ['x'.repeat(100), `"${'x'.repeat(59)}…`],
    [0, '0'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [undefined, 'undefined'],
    [null, 'null'],
    [[], 'an empty array'],
    [[1, 2], 'an array of 2'],
    [{ token: 'secret' }, 'an object'],
    [Object.create(null), 'an object'],
    [new Map(), 'a Map'],
    [new AbortController().signal, 'an AbortSignal'],
    [() => {}, 'a function'],
    [new Date('2024-01-02T03:04:05Z'), '2024-01-02T03:04:05.000Z'],
    [new Date('nope'), 'an invalid Date'],
  ])('%j is %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown)
  })
})

describe('rules', () => {
  const rule = object({
    name: string,
    tags: optional(arrayOf(string, 'an array of strings')),
    env: optional(recordOf(string, 'an object of strings')),
    mode: optional(oneOf(['a', 'b', 'c'])),
    key: optional(secret(string)),
  }, { expected: 'an object', unknownKey: value => `a known key (its value ${describeValue(value)} is not read)` })

  it('passes what fits', () => {
    expect(rule({ name: 'x', tags: ['a'], env: { A: 'b' }, mode: 'b' })).toBeUndefined()
  })

  it.each<[unknown, string, string, unknown]>([
    [[], '', 'an object', []],
    [new Map(), '', 'an object', new Map()],
    [{}, 'name', 'a string', undefined],
    [{ name: 'x', tags: ['a', 3] }, 'tags[1]', 'a string', 3],
    [{ name: 'x', env: { PORT: 80 } }, 'env.PORT', 'a string', 80],
    [{ name: 'x', mode: 'd' }, 'mode', '"a", "b" or "c"', 'd'],
    // An unknown key comes first: a misspelt key is the likely cause of the rest (here the missing `name`).
    [{ nmae: 'x' }, 'nmae', 'a known key (its value "x" is not read)', 'x'],
  ])('%j: `%s` must be %s', (value, path, message, found) => {
    const problem = rule(value)
    expect([keyPath(problem!.keys), problem!.message, problem!.value]).toEqual([path, message, found])
  })

  it('marks problems of secret values, and combines rules in order', () => {
    expect(rule({ name: 'x', key: 5 })).toMatchObject({ keys: ['key'], secret: true })
    const globs = either(string, arrayOf(string, 'a string or strings'))
    expect(globs('a')).toBeUndefined()
    expect(globs(['a', 1])).toMatchObject({ keys: [1], message: 'a string' })
    const short = every(string, is(value => value.length < 3, 'shorter than 3'))
    expect([short(1)?.message, short('long')?.message, short('ok')]).toEqual(['a string', 'shorter than 3', undefined])
  })

  it('writes key paths the way messages show them', () => {
    expect([keyPath([]), keyPath(['a']), keyPath(['a', 'b', 0, 'c']), keyPath([0, 'role'])]).toEqual(['', 'a', 'a.b[0].c', '[0].role'])
  })
})
