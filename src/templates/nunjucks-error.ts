import { readFileSync } from 'node:fs'
import { relative } from 'pathe'
import { isWithin } from '../utils/paths'
import { TemplateError } from './error'

/** How `renderString` templates are named in errors. */
export const STRING_TEMPLATE = '<string>'

/** Nunjucks' name for a template without a file. */
const UNKNOWN_PATH = 'unknown path'

/** One line of the nested "(path) [Line x, Column y]" prefixes nunjucks adds to a message per template. */
const CHAIN_LINE = /^\s*(?:Template render error: )?\((.*)\)(?: \[Line \d+(?:, Column \d+)?\])?$/
const NOT_FOUND = /^template not found: (.*)$/
const UNKNOWN_FILTER = /^filter not found: (.*)$/
const UNDEFINED_OUTPUT = 'attempted to output null or undefined value'
/** Parse errors at the end of the source: nunjucks gives them no position (there is no token left). */
const AT_END = /end of file|got EOF/
/** The name of the nunjucks parser function some messages start with (`parseIf: `): noise to a template's author. */
const PARSER_FUNCTION = /^parse\w+: /

interface NunjucksError extends Error {
  lineno?: number
  colno?: number
}

export interface ErrorContext {
  /** Repository root: template paths in messages are shown relative to it. */
  root: string
  /** Absolute search dirs, listed when a template is not found. */
  dirs: readonly string[]
  /** Source given to `renderString`, to name the undefined expression in it. */
  source?: string
}

/**
 * Turn whatever nunjucks threw (multi-line, nested once per include/extends) into a one-line TemplateError:
 * `<template>:<line>:<col>: <message> (via <outer templates>)`.
 */
export function fromNunjucksError(error: unknown, context: ErrorContext): TemplateError {
  if (error instanceof TemplateError) return error
  if (!(error instanceof Error)) return new TemplateError(String(error), { cause: error })

  const { chain, text } = splitMessage(error.message)
  const inner = innermost(error)
  const runtimeCause = inner.cause instanceof Error ? inner.cause : undefined
  const innerPath = chain.at(-1)
  if (!innerPath) return new TemplateError(explain(text, context), { cause: error })
  const position = positionOf(inner) ?? (AT_END.test(text) ? endOf(readSource(innerPath, context)) : undefined)

  const display = (path: string) => displayPath(path, context.root)
  const undefinedAt = runtimeCause || !position ? undefined : { path: innerPath, ...position }
  const where = [display(innerPath), position?.line, position?.column].filter(part => part !== undefined).join(':')
  const via = chain.length > 1 ? ` (via ${chain.slice(0, -1).reverse().map(display).join(', ')})` : ''
  return new TemplateError(`${where}: ${explain(text, context, undefinedAt)}${via}`, {
    template: display(innerPath),
    ...position,
    cause: runtimeCause ?? error,
  })
}

/** Separate the "(path)" lines nunjucks prepends (outermost template first, deduplicated) from the message. */
function splitMessage(message: string): { chain: string[]; text: string } {
  const lines = message.split('\n')
  const chain: string[] = []
  let rest = 0
  for (let match; rest < lines.length && (match = CHAIN_LINE.exec(lines[rest]!)); rest++) {
    if (!chain.includes(match[1]!)) chain.push(match[1]!)
  }
  const text = lines.slice(rest).map(line => line.trim()).filter(Boolean).join(' ')
  return { chain, text: text.replace(/^(?:Template render error: )?(?:Template)?Error: /, '').replace(PARSER_FUNCTION, '') }
}

/** Reword nunjucks' terse messages to say what to do; `undefinedAt` locates an output of undefined. */
function explain(text: string, context: ErrorContext, undefinedAt?: { path: string; line: number; column?: number }): string {
  const missing = NOT_FOUND.exec(text)
  if (missing) return notFoundMessage(missing[1]!, context)
  const unknownFilter = UNKNOWN_FILTER.exec(text)
  if (unknownFilter) return `unknown filter "${unknownFilter[1]}" (check its name, or register it with env.addFilter)`
  if (text === UNDEFINED_OUTPUT && undefinedAt) return undefinedMessage(expressionAt(readSource(undefinedAt.path, context), undefinedAt))
  return text
}

/** `Template "x.njk" not found in <dirs> (create it or fix the name)`. */
function notFoundMessage(name: string, context: ErrorContext): string {
  const dirs = context.dirs.length ? context.dirs.map(dir => displayPath(dir, context.root)).join(', ') : 'no template dirs'
  return `Template "${name}" not found in ${dirs} (create it or fix the name)`
}

/** Nunjucks wraps an error once per template it passes through; the deepest wrapper knows the position. */
function innermost(error: NunjucksError): NunjucksError {
  let inner = error
  while (inner.cause instanceof Error && inner.cause.name === 'Template render error') inner = inner.cause
  return inner
}

function positionOf(inner: NunjucksError): { line: number; column?: number } | undefined {
  if (!inner.lineno) return undefined
  // Parse errors and undefined outputs count from 1.
  if (!(inner.cause instanceof Error)) return { line: inner.lineno, column: inner.colno || undefined }
  // Thrown while running: nunjucks counts from 0 here and only tracks positions at function calls, so errors
  // from GitVan's filters (TemplateError) would point at an earlier call: they name the filter and value instead.
  if (inner.cause instanceof TemplateError) return undefined
  return { line: inner.lineno + 1, column: inner.colno === undefined ? undefined : inner.colno + 1 }
}

/** The position just after the last character of `source`. */
function endOf(source: string | undefined): { line: number; column: number } | undefined {
  if (source === undefined) return undefined
  const lines = source.split('\n')
  return { line: lines.length, column: lines.at(-1)!.length + 1 }
}

function undefinedMessage(expression: string | undefined): string {
  if (!expression) return 'a value is undefined or null (pass it in the data or globals, or fix its name)'
  return `"${expression}" is undefined or null (pass it in the data or globals, fix the name, or write {{ ${expression} | default("") }})`
}

/** The `{{ ... }}` expression starting at `position`, whitespace collapsed. */
function expressionAt(source: string | undefined, position: { line: number; column?: number }): string | undefined {
  if (source === undefined || position.column === undefined) return undefined
  const lineStart = source.split('\n').slice(0, position.line - 1).reduce((offset, line) => offset + line.length + 1, 0)
  const match = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}/.exec(source.slice(lineStart + position.column - 1))
  return match?.[1]?.replace(/\s+/g, ' ')
}

function readSource(path: string, context: ErrorContext): string | undefined {
  if (path === UNKNOWN_PATH) return context.source
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined // the file changed since it was rendered: the message just won't name the expression
  }
}

function displayPath(path: string, root: string): string {
  if (path === UNKNOWN_PATH) return STRING_TEMPLATE
  return isWithin(root, path) ? relative(root, path) || '.' : path
}
