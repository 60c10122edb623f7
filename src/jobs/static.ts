import { parseSync } from 'oxc-parser'
import type { ExecSpec } from '../types/exec'
import type { JobKind, JobMeta, JobTriggers } from '../types/job'
import { JobSyntaxError } from './syntax-error'

/** What `gitvan list` needs, read from the source without running it. */
export interface StaticJobInfo {
  /** As written, if it is. */
  kind?: JobKind
  meta?: JobMeta
  on?: JobTriggers
  /** The steps, as written: checked against the exec types like loaded ones. */
  steps?: ExecSpec[]
  /** Whether the definition has `run` (code, not read): enough to check it like `defineJob()` does. */
  has: { run: boolean }
}

const DYNAMIC = Symbol('dynamic')
type Value = unknown | typeof DYNAMIC

/**
 * Read `kind`, `meta`, `on` and `steps` from `export default defineJob({ ... })`. Returns `null` when a needed value
 * is not a literal (the caller then imports the module); throws `JobSyntaxError` when the file does not parse.
 */
export function readStaticJobInfo(source: string, file: string): StaticJobInfo | null {
  const result = parseSync(file, source, { sourceType: 'module' })
  const error = result.errors[0]
  if (error) {
    const offset = error.labels?.[0]?.start ?? 0
    const { line, column } = position(source, offset)
    throw new JobSyntaxError(file, line, column, error.message)
  }
  const exported = result.program.body.find(node => node.type === 'ExportDefaultDeclaration')
  const call = exported && unwrap((exported as any).declaration)
  if (!call || call.type !== 'CallExpression' || call.callee.type !== 'Identifier' || call.callee.name !== 'defineJob') return null
  const definition = unwrap(call.arguments[0])
  if (definition?.type !== 'ObjectExpression') return null
  const fields = new Map<string, any>()
  for (const property of definition.properties) {
    if (property.type !== 'Property' || property.computed) return null
    const key = property.key.type === 'Identifier' ? property.key.name : property.key.value
    fields.set(String(key), property.value)
  }
  const values = Object.fromEntries(['kind', 'meta', 'on', 'steps'].filter(key => fields.has(key)).map(key => [key, literal(fields.get(key))]))
  if (Object.values(values).includes(DYNAMIC)) return null
  return { ...(values as Pick<StaticJobInfo, 'kind' | 'meta' | 'on' | 'steps'>), has: { run: fields.has('run') } }
}

/** The value of a literal expression (objects, arrays, strings, numbers, booleans), or DYNAMIC. */
function literal(node: any): Value {
  node = unwrap(node)
  switch (node?.type) {
    case 'Literal': {
      return node.regex ? DYNAMIC : node.value
    }
    case 'TemplateLiteral': {
      return node.expressions.length === 0 ? node.quasis.map((q: any) => q.value.cooked).join('') : DYNAMIC
    }
    case 'UnaryExpression': {
      return node.operator === '-' && typeof literal(node.argument) === 'number' ? -(literal(node.argument) as number) : DYNAMIC
    }
    case 'ArrayExpression': {
      const items = node.elements.map((element: any) => (element?.type === 'SpreadElement' ? DYNAMIC : literal(element)))
      return items.includes(DYNAMIC) ? DYNAMIC : items
    }
    case 'ObjectExpression': {
      const object: Record<string, unknown> = {}
      for (const property of node.properties) {
        if (property.type !== 'Property' || property.computed || property.kind !== 'init') return DYNAMIC
        const value = literal(property.value)
        if (value === DYNAMIC) return DYNAMIC
        object[property.key.type === 'Identifier' ? property.key.name : String(property.key.value)] = value
      }
      return object
    }
    default: {
      return DYNAMIC
    }
  }
}

/** Strip TypeScript wrappers (`as const`, `satisfies`, `!`) and parentheses. */
function unwrap(node: any): any {
  while (node && ['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'ParenthesizedExpression'].includes(node.type)) node = node.expression
  return node
}

function position(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset).split('\n')
  return { line: before.length, column: before.at(-1)!.length + 1 }
}
