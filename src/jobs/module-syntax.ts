import { parseSync } from 'oxc-parser'

const LITERAL = /^(["'`])([^"'`$]*)\1$/
const REQUIRE = /\brequire\s*\(([^)]*)\)/g

/**
 * The modules `code` names: static imports and re-exports, dynamic imports and `require` calls of a literal;
 * `undefined` when an `import()` or `require()` is of something else, so what the file loads cannot be known.
 * What `gitvan dev` follows to reload the files that import a changed one.
 */
export function importSpecifiers(code: string, file: string): string[] | undefined {
  const { module, errors } = parseSync(file, code, { sourceType: 'module' })
  if (errors.length > 0) return undefined
  const specifiers = [
    ...module.staticImports.map(entry => entry.moduleRequest.value),
    ...module.staticExports.flatMap(entry => entry.entries.flatMap(item => (item.moduleRequest ? [item.moduleRequest.value] : []))),
  ]
  const loaded = [...module.dynamicImports.map(entry => code.slice(entry.moduleRequest.start, entry.moduleRequest.end)), ...[...code.matchAll(REQUIRE)].map(match => match[1]!)]
  for (const argument of loaded) {
    const literal = LITERAL.exec(argument.trim())
    if (!literal) return undefined
    specifiers.push(literal[2]!)
  }
  return [...new Set(specifiers)]
}

/**
 * The names `code` exports, sorted (`default` included); `undefined` when they cannot be told from the file alone
 * (`export * from`) or it does not parse. Equal names mean equal auto-imports from an imports dir.
 */
export function exportNames(code: string, file: string): string[] | undefined {
  const { module, errors } = parseSync(file, code, { sourceType: 'module' })
  if (errors.length > 0) return undefined
  const names: string[] = []
  for (const item of module.staticExports.flatMap(entry => entry.entries)) {
    if (item.exportName.kind === 'None') return undefined
    names.push(item.exportName.kind === 'Default' ? 'default' : item.exportName.name!)
  }
  return [...new Set(names)].sort()
}
