import { existsSync, readFileSync, readdirSync } from 'node:fs'
import type { ConfigLayer, ResolvedConfig } from 'c12'
import { isAbsolute, join, resolve } from 'pathe'
import { errorLine } from '../utils/messages'
import type { Key } from '../utils/rules'
import { lineInStack } from '../utils/stack'
import { ConfigError } from './schema'

export const RC_FILE = '.gitvanrc'

/** The config file GitVan looks for, without its extension. */
const CONFIG_NAME = 'gitvan.config'

/** What rc9 (c12's `.gitvanrc` reader) takes as a line; it skips any other line without a word. */
const RC_LINE = /^\s*[^\s=]+\s*=/

/**
 * Where a key path's value comes from, for messages: the file of the first of c12's layers, in priority order (the
 * config file, `.gitvanrc`, package.json, the configs it extends), that sets it; `the overrides` for flags.
 */
export function configSourceOf(result: ResolvedConfig, cwd: string): (keys: readonly Key[]) => string {
  const layers = (result.layers ?? []).map(layer => [layer, layerName(layer, result, cwd)] as const)
  return keys => layers.find(([layer]) => has(layer.config, keys))?.[1] ?? 'the config'
}

/** A line of `.gitvanrc` that is not `key=value` (nor blank, nor a `#` comment) is an error, not a silent skip. */
export function checkRcFile(cwd: string): void {
  const file = join(cwd, RC_FILE)
  if (!existsSync(file)) return
  for (const [index, line] of readFileSync(file, 'utf8').split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trim().startsWith('#') || RC_LINE.test(line)) continue
    throw new ConfigError(`Invalid config in ${file}:${index + 1}: "${line.trim()}" is not a key=value line (e.g. daemon.lookback=5; # starts a comment)`)
  }
}

/**
 * A config that does not load, as `<file>:<line>[:<column>]: <message>`: jiti puts a syntax error's position on a
 * second line of its message; an error the config throws has its line in the stack (its column is jiti's output's).
 */
export function loadFailure(error: unknown, cwd: string, configFile?: string): ConfigError {
  const message = error instanceof Error ? error.message : String(error)
  const syntax = /^(.*?)\s*\n\s*(\S+:\d+:\d+)\s*$/.exec(message)
  if (syntax) return new ConfigError(`Cannot load ${syntax[2]}: ${syntax[1]}`)
  const files = configFile ? [resolve(cwd, configFile)] : readdirSync(cwd).filter(name => name.startsWith(`${CONFIG_NAME}.`)).map(name => join(cwd, name))
  for (const file of files) {
    const line = lineInStack(error, file)
    if (line) return new ConfigError(`Cannot load ${file}:${line}: ${errorLine(error)}`)
  }
  return new ConfigError(`Cannot load ${files[0] ?? `the config in ${cwd}`}: ${errorLine(error)}`)
}

function layerName(layer: ConfigLayer, result: ResolvedConfig, cwd: string): string {
  if (layer.configFile === undefined) return 'the overrides'
  if (layer.configFile === RC_FILE || layer.configFile === 'package.json') return join(cwd, layer.configFile)
  // The main layer is named as it was asked for (`gitvan.config`); the configs it extends by their own paths.
  return isAbsolute(layer.configFile) ? layer.configFile : resolve(cwd, result.configFile ?? layer.configFile)
}

function has(value: unknown, keys: readonly Key[]): boolean {
  let current = value
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return false
    current = (current as Record<Key, unknown>)[key]
  }
  return true
}
