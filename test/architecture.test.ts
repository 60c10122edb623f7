import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'pathe'
import { describe, expect, it } from 'vitest'
import { projectRoot } from './utils/cli'

/**
 * The layers of `src/`, bottom up, as docs/architecture.md draws them. A file may import values from its own
 * folder and from folders of lower layers only; folders of one layer are peers and do not import each other.
 * Type-only imports are free: `src/types/` describes every layer.
 */
const LAYERS: string[][] = [
  ['types', 'utils'],
  ['git'],
  ['templates', 'hooks', 'llm', 'receipts', 'locks', 'context'],
  ['config', 'exec'],
  ['jobs'],
  ['plugins'],
  ['app'],
  ['daemon', 'server'],
  ['dev'],
  ['composables'],
  ['cli'],
  // The package entries: `gitvan` (src/index.ts) and `gitvan/kit` (src/kit.ts).
  ['<entry>'],
]

const src = join(projectRoot, 'src')
const rank = new Map(LAYERS.flatMap((folders, level) => folders.map(folder => [folder, level] as const)))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
    .map(entry => join(entry.parentPath, entry.name))
}

/** The folder of `src/` a file belongs to; files directly in `src/` are the package entries. */
function folderOf(file: string): string {
  const parts = relative(src, file).split('/')
  return parts.length === 1 ? '<entry>' : parts[0]!
}

/** The file a specifier without extension names: `x.ts`, or the folder's `index.ts`. */
function targetFile(path: string): string {
  return existsSync(`${path}.ts`) ? `${path}.ts` : join(path, 'index.ts')
}

/** Relative specifiers imported as values: `import x`, `import { a }` with at least one value, `export { a } from`, `import()`. */
export function valueImports(source: string): string[] {
  const specifiers: string[] = []
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm
  for (const match of source.matchAll(statement)) {
    const [, , typeOnly, clause, specifier] = match
    if (typeOnly) continue
    const named = /\{([^}]*)\}/.exec(clause!)
    const onlyTypes = named && !/^[^{]*\w[^{]*\{/.test(clause!) && named[1]!.split(',').map(s => s.trim()).filter(Boolean).every(s => s.startsWith('type '))
    if (!onlyTypes) specifiers.push(specifier!)
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!)
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!)
  return specifiers.filter(specifier => specifier.startsWith('.'))
}

describe('architecture', () => {
  const files = sourceFiles(src)
  const edges = files.flatMap(file => valueImports(readFileSync(file, 'utf8')).map(specifier => ({
    file: relative(projectRoot, file),
    from: folderOf(file),
    to: folderOf(targetFile(resolve(dirname(file), specifier))),
    specifier,
  })))

  it('knows every folder of src/', () => {
    const folders = [...new Set(files.map(folderOf))].sort()
    expect(folders.filter(folder => !rank.has(folder))).toEqual([])
  })

  it('imports values only downward: from the same folder or a lower layer', () => {
    const wrong = edges
      .filter(edge => edge.from !== edge.to && !(rank.get(edge.to)! < rank.get(edge.from)!))
      .map(edge => `${edge.file} (${edge.from}, layer ${rank.get(edge.from)}) imports ${edge.specifier} (${edge.to}, layer ${rank.get(edge.to)})`)
    expect(wrong).toEqual([])
  })

  it('has no cycle between folders', () => {
    const graph = new Map<string, Set<string>>()
    for (const edge of edges) if (edge.from !== edge.to) graph.set(edge.from, (graph.get(edge.from) ?? new Set()).add(edge.to))
    const cycles: string[] = []
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) return void cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '))
      for (const next of graph.get(node) ?? []) visit(next, [...path, node])
    }
    for (const node of graph.keys()) visit(node, [])
    expect(cycles).toEqual([])
  })

  it('is drawn in docs/architecture.md in the same order', () => {
    const doc = readFileSync(join(projectRoot, 'docs/architecture.md'), 'utf8')
    const table = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map(match => [Number(match[1]), match[2]!.match(/`([^`]+)\/`/g)!.map(name => name.slice(1, -2))] as const)
    const documented = table.sort((a, b) => a[0] - b[0]).map(([, folders]) => folders.sort())
    expect(documented).toEqual(LAYERS.slice(0, -1).map(folders => [...folders].sort()))
  })

  it('reads value imports the way the checks above need', () => {
    expect(valueImports(`import type { A } from './a'\nimport { type B } from './b'\nimport { c, type D } from './c'\nexport { e } from './e'\nexport type { F } from './f'\nconst g = await import('./g')\nimport h from 'node:h'`))
      .toEqual(['./c', './e', './g'])
  })
})
