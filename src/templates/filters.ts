import type { Environment } from 'nunjucks'
import { camelCase, kebabCase, lowerFirst, pascalCase, snakeCase, titleCase, upperFirst } from 'scule'
import { formatDate, toDate } from './date'
import { describeValue } from '../utils/describe'
import { TemplateError } from './error'
import { slugify } from './slug'

const CASE_FILTERS: Record<string, (text: string) => string> = {
  camelCase: text => camelCase(text),
  pascalCase: text => pascalCase(text),
  kebabCase: text => kebabCase(text),
  snakeCase: text => snakeCase(text),
  titleCase: text => titleCase(text),
  upperFirst: text => upperFirst(text),
  lowerFirst: text => lowerFirst(text),
  slug: slugify,
}

/** Global names GitVan defines in every template; `options.globals` may not take them. */
export const BUILTIN_GLOBALS = ['now']

/** Register the deterministic helpers: `date`, `json`, case filters, `slug`, and the `now()` global. */
export function registerHelpers(env: Environment, now: () => Date): void {
  env.addFilter('date', (value: unknown, format?: unknown) => formatDate(toDate(value, now), format))
  env.addGlobal('now', (format?: unknown) => formatDate(toDate(null, now), format))
  env.addFilter('json', toJson)
  for (const [name, convert] of Object.entries(CASE_FILTERS)) {
    env.addFilter(name, (value: unknown) => convert(asText(value, name)))
  }
}

function toJson(value: unknown, indent?: unknown): string {
  if (indent !== undefined && !(Number.isInteger(indent) && (indent as number) >= 0 && (indent as number) <= 10)) {
    throw new TemplateError(`json filter: indent must be a whole number from 0 to 10, got ${describeValue(indent)}`)
  }
  const json = JSON.stringify(value, null, indent as number | undefined)
  if (json === undefined) {
    throw new TemplateError(`json filter cannot encode ${describeValue(value)} (check the variable name or pass a JSON value)`)
  }
  return json
}

/** Case filters take text (including nunjucks' `safe` strings) or numbers; `undefined` from a typo is an error. */
function asText(value: unknown, filter: string): string {
  // nunjucks' `safe` strings are String objects.
  // eslint-disable-next-line unicorn/no-instanceof-builtins
  if (typeof value === 'string' || value instanceof String) return value.toString()
  if (typeof value === 'number') return String(value)
  throw new TemplateError(`${filter} filter expects text, got ${describeValue(value)} (check the variable name)`)
}
