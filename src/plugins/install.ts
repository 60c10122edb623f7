import { defu } from 'defu'
import { registerHooks } from '../hooks/hooks'
import { describeValue } from '../utils/describe'
import { errorLine, isPlainObject } from '../utils/messages'
import { every, is, keyPath, object, optional } from '../utils/rules'
import { knownConfigPaths } from '../config/schema'
import { runAsOwner } from '../hooks/owner'
import type { GitVanApp } from '../types/app'
import type { GitVanPlugin, InstalledGitVanPlugin } from '../types/plugin'
import { rangeProblem, satisfiesRange } from './compat'
import { PluginError } from './error'
import type { PluginSource } from './sources'
import { lazyLogger } from '../utils/logger'

const logger = lazyLogger('gitvan:plugins')

/**
 * Install plugins in order, each once by name: check it, merge its options, register its hooks, run its setup
 * as its owner. Every failure is a `PluginError` naming the plugin and where it is listed.
 */
export async function installPlugins(app: GitVanApp, sources: PluginSource[], installed: InstalledGitVanPlugin[], configName: string): Promise<void> {
  for (const source of sources) {
    const plugin = await loadPlugin(source)
    const { name } = plugin.meta
    const first = installed.find(other => other.meta.name === name)
    if (first) {
      logger.warn(`Plugin "${name}" is listed twice (${first.source} and ${source.where}): installed once, from ${first.source}; remove the other`)
      continue
    }
    const { compatibility } = plugin.meta
    if (compatibility && !satisfiesRange(app.version, compatibility)) {
      throw new PluginError(`Plugin "${name}" (${source.where}) needs GitVan ${compatibility} but this is GitVan ${app.version}: upgrade GitVan, or install a version of the plugin made for ${app.version}`)
    }
    const options = await pluginOptions(app, plugin, source, configName)
    try {
      registerHooks(app, plugin.hooks, name, `plugin "${name}"`)
      await runAsOwner(name, () => plugin.setup?.(options, app))
    } catch (error) {
      throw new PluginError(`Plugin "${name}" (${source.where}) failed to set up: ${errorLine(error)}`)
    }
    installed.push({ meta: plugin.meta, options, source: source.where })
  }
}

async function loadPlugin(source: PluginSource): Promise<GitVanPlugin> {
  let plugin: unknown
  try {
    plugin = await source.load()
  } catch (error) {
    throw new PluginError(`Plugin "${source.label}" (${source.where}) failed to load: ${errorLine(error)}`)
  }
  const problem = pluginRule(plugin)
  if (problem) {
    const what = problem.keys.length === 0 ? problem.message : `\`${keyPath(problem.keys)}\` ${problem.message}`
    throw new PluginError(`Plugin "${source.label}" (${source.where}) is not a valid GitVan plugin: ${what}`)
  }
  return plugin as GitVanPlugin
}

const nonEmptyString = is(value => typeof value === 'string' && value.trim() !== '', 'must be a non-empty string')

/** Each key's words follow its path: `` `meta.name` must be a non-empty string ``. */
const pluginRule = object({
  meta: object({
    name: nonEmptyString,
    version: optional(nonEmptyString),
    configKey: optional(every(nonEmptyString, is(key => !knownConfigPaths.includes(key), key => `${describeValue(key)} is one of GitVan's own config keys: choose another`))),
    compatibility: optional(is(range => rangeProblem(range) === undefined, range => `${describeValue(range)} is not a version range: ${rangeProblem(range)}`)),
  }, { expected: 'must be an object like { name: \'gitvan-plugin-foo\' }' }),
  defaults: optional(is(value => isPlainObject(value) || typeof value === 'function', 'must be an object, or a function of the app returning one')),
  // `hooks` is checked when registered, with the words every `hooks` object gets.
  setup: optional(is(value => typeof value === 'function', 'must be a function')),
}, { expected: value => `expected defineGitVanPlugin({ meta: { name }, setup }), got ${describeValue(value)}` })

/**
 * `defu(inline, config[configKey], defaults)`: the entry's options win over the config's, which win over the
 * defaults (an object, or what the defaults function returns for this app).
 */
async function pluginOptions(app: GitVanApp, plugin: GitVanPlugin, source: PluginSource, configName: string): Promise<Record<string, any>> {
  const { configKey, name } = plugin.meta
  const fromConfig = configKey ? (app.options as unknown as Record<string, unknown>)[configKey] : undefined
  if (fromConfig !== undefined && !isPlainObject(fromConfig)) {
    throw new PluginError(`Plugin "${name}" (${source.where}) reads its options from \`${configKey}\` in ${configName}, which must be an object, got ${describeValue(fromConfig)}`)
  }
  return defu(source.inline ?? {}, fromConfig ?? {}, await pluginDefaults(app, plugin, source))
}

async function pluginDefaults(app: GitVanApp, { meta, defaults }: GitVanPlugin, source: PluginSource): Promise<Record<string, any>> {
  if (typeof defaults !== 'function') return defaults ?? {}
  let made: unknown
  try {
    made = await runAsOwner(meta.name, () => defaults(app))
  } catch (error) {
    throw new PluginError(`Plugin "${meta.name}" (${source.where}) failed to make its defaults: ${errorLine(error)}`)
  }
  if (!isPlainObject(made)) throw new PluginError(`Plugin "${meta.name}" (${source.where}): its \`defaults\` function must return an object, got ${describeValue(made)}`)
  return made
}
