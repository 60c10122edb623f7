import { existsSync, statSync } from 'node:fs'
import { isAbsolute } from 'pathe'
import type { TemplateData, TemplateEnvOptions } from '../types/templates'
import { describeValue } from '../utils/describe'
import { TemplateError } from './error'
import { BUILTIN_GLOBALS } from './filters'

/** Refuse options that would only fail later, far from their cause. */
export function validateOptions(options: TemplateEnvOptions): void {
  const { root, dirs, now, globals, tempJournal } = options ?? {}
  if (typeof root !== 'string' || !isAbsolute(root)) {
    throw new TemplateError(`createTemplateEnv: root must be an absolute path, got ${describeValue(root)} (pass the repository root)`)
  }
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new TemplateError(`createTemplateEnv: root "${root}" is not a directory (pass the repository root)`)
  }
  if (!Array.isArray(dirs)) {
    throw new TemplateError(`createTemplateEnv: dirs must be a list of template dirs, got ${describeValue(dirs)} (pass [] for none)`)
  }
  dirs.forEach(dir => checkDir(dir, 'createTemplateEnv: dirs'))
  if (typeof now !== 'function') {
    throw new TemplateError(`createTemplateEnv: now must be a function returning a Date, got ${describeValue(now)} (pass () => new Date())`)
  }
  if (tempJournal !== undefined && (typeof tempJournal !== 'string' || !isAbsolute(tempJournal))) {
    throw new TemplateError(`createTemplateEnv: tempJournal must be an absolute dir, got ${describeValue(tempJournal)} (leave it out, or pass <git common dir>/gitvan/tmp)`)
  }
  if (globals !== undefined) checkData(globals, 'createTemplateEnv: globals')
  const reserved = BUILTIN_GLOBALS.find(name => Object.hasOwn(globals ?? {}, name))
  if (reserved) {
    throw new TemplateError(`createTemplateEnv: globals.${reserved} is reserved for GitVan's deterministic ${reserved}() (rename it)`)
  }
}

export function checkDir(dir: unknown, where: string): string {
  if (typeof dir !== 'string' || dir === '') {
    throw new TemplateError(`${where}: a template dir must be a non-empty path, got ${describeValue(dir)}`)
  }
  return dir
}

/** Template names are looked up inside the dirs, so they may not be absolute or climb out with `..`. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || isAbsolute(name) || name.split(/[/\\]/).includes('..')) {
    throw new TemplateError(`Invalid template name ${describeValue(name)}: use a path relative to a template dir, without "..", like "docs/readme.njk"`)
  }
  return name
}

export function checkSource(source: unknown): string {
  if (typeof source !== 'string') {
    throw new TemplateError(`renderString expects template source text, got ${describeValue(source)}`)
  }
  return source
}

/** `what` names the data in the message, e.g. `Data for template "a.njk"`. */
export function checkData(data: unknown, what: string): TemplateData {
  if (data === undefined) return {}
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TemplateError(`${what} must be an object of variables, got ${describeValue(data)}`)
  }
  return data as TemplateData
}
