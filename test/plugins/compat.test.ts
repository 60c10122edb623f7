import { describe, expect, it } from 'vitest'
import { rangeProblem, satisfiesRange } from '../../src/plugins/compat'

describe('satisfiesRange', () => {
  it.each([
    ['2.1.0', '2.1.0', true],
    ['2.1.1', '2.1.0', false],
    ['2.1.0', '=2.1.0', true],
    ['2.1.0', 'v2.1.0', true],
    ['2.1.0', '^2.1.0', true],
    ['2.9.9', '^2.1.0', true],
    ['2.0.9', '^2.1.0', false],
    ['3.0.0', '^2.1.0', false],
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['0.0.9', '^0.0', true],
    ['0.1.0', '^0.0', false],
    ['2.5.0', '^2', true],
    ['3.0.0', '^2', false],
    ['2.1.9', '~2.1.0', true],
    ['2.2.0', '~2.1.0', false],
    ['2.9.0', '~2', true],
    ['2.1.0', '>=2.1.0', true],
    ['2.0.99', '>=2.1.0', false],
    ['2.1.0', '>2.1.0', false],
    ['2.2.0', '>2.1', true],
    ['2.1.5', '>2.1', false],
    ['2.0.0', '<2.1', true],
    ['2.1.0', '<2.1', false],
    ['2.1.9', '<=2.1', true],
    ['2.2.0', '<=2.1', false],
    ['2.1.0', '<=2.1.0', true],
    ['2.4.0', '2.x', true],
    ['3.0.0', '2.x', false],
    ['2.1.7', '2.1', true],
    ['9.9.9', '*', true],
    ['2.5.0', '>=2.1.0 <3.0.0', true],
    ['3.0.0', '>=2.1.0 <3.0.0', false],
    ['1.4.0', '^1.2.0 || ^2.1.0', true],
    ['2.3.0', '^1.2.0 || ^2.1.0', true],
    ['2.0.0', '^1.2.0 || ^2.1.0', false],
    ['2.1.0-beta.1', '^2.1.0', true],
    ['2.2.0-beta.1', '2.2.0', true],
    ['2.5.0', '1.2.3 - 2', true],
    ['3.0.0', '1.2.3 - 2', false],
    ['2.1.0', '>= 2.1.0', true],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected)
  })

  it('explains ranges it cannot read', () => {
    expect(rangeProblem('^2.1.0 || >=3')).toBeUndefined()
    expect(rangeProblem('')).toBe('it must be a non-empty string like "^2.1.0"')
    expect(rangeProblem(21)).toBe('it must be a non-empty string like "^2.1.0"')
    expect(rangeProblem('latest')).toBe('"latest" in "latest" is not a comparator like ^2.1.0, >=2.1.0 or 2.1.0')
    expect(rangeProblem('^2.1.0 ||')).toBe('"^2.1.0 ||" has an empty alternative around "||"')
    expect(rangeProblem('|| ^2')).toBe('"|| ^2" has an empty alternative around "||"')
    expect(rangeProblem('^1 || >=2 soon')).toBe('"soon" in "^1 || >=2 soon" is not a comparator like ^2.1.0, >=2.1.0 or 2.1.0')
    // npm's ranges allow a space after the operator.
    expect(rangeProblem('>= 2.1.0')).toBeUndefined()
    expect(() => satisfiesRange('two', '^2.1.0')).toThrow('"two" is not a version like 2.1.0')
  })
})
