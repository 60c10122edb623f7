import { readFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { configDefaults } from '../../src/config/defaults'
import { knownConfigPaths } from '../../src/config/schema'
import { isPlainObject } from '../../src/utils/messages'
import { projectRoot } from '../utils/cli'

/** The rows of the key table in docs/config.md: key path and the default cell as written. */
function documentedDefaults(): Map<string, string> {
  const doc = readFileSync(join(projectRoot, 'docs/config.md'), 'utf8')
  const table = doc.slice(doc.indexOf('## Keys'), doc.indexOf('\n## ', doc.indexOf('## Keys') + 1))
  return new Map([...table.matchAll(/^\| `([\w.]+)` \| ([^|]+) \|/gm)].map(match => [match[1]!, match[2]!.trim()]))
}

/** A default cell as a value: a literal in backticks (`'jobs'`, `['PATH']`, `300000`, `false`, `{}`), else none. */
function parseDefault(cell: string): unknown {
  const literal = /^`(.+)`$/.exec(cell)?.[1]
  return literal === undefined ? undefined : JSON.parse(literal.replaceAll('\'', '"'))
}

/** `configDefaults` as key paths: sections are walked into, other values (arrays, `{}`) are leaves. */
function leaves(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, child]) => isPlainObject(child) && Object.keys(child).length > 0
    ? leaves(child, `${prefix}${key}.`)
    : [[`${prefix}${key}`, child] as [string, unknown]])
}

describe('docs/config.md', () => {
  const documented = documentedDefaults()

  it('documents every default of configDefaults, with its value', () => {
    const defaults = leaves(configDefaults as unknown as Record<string, unknown>)
    expect(defaults.length).toBeGreaterThan(20)
    expect(defaults.filter(([path]) => !documented.has(path)).map(([path]) => path)).toEqual([])
    for (const [path, value] of defaults) expect(parseDefault(documented.get(path)!), path).toEqual(value)
  })

  it('documents only keys GitVan reads; those without a default say so', () => {
    expect([...documented.keys()].filter(path => !knownConfigPaths.includes(path))).toEqual([])
    const withoutDefault = [...documented].filter(([path]) => !leaves(configDefaults as unknown as Record<string, unknown>).some(([known]) => known === path))
    expect(withoutDefault.map(([path]) => path)).toEqual(['llm.model', 'llm.baseURL', 'llm.apiKeyEnv'])
    for (const [path, cell] of withoutDefault) expect(parseDefault(cell), path).toBeUndefined()
  })
})
