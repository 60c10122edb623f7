import { consola } from 'consola'
import { defu } from 'defu'
import { registerHooks } from '../hooks/hooks'
import { describeValue } from '../utils/describe'
import { errorLine, isPlainObject } from '../utils/messages'
import { runAsOwner } from '../hooks/owner'
import type { GitVanApp } from '../types/app'
import type { GitVanPlugin, InstalledGitVanPlugin } from '../types/plugin'
import { rangeProblem, satisfiesRange } from './compat'
import { PluginError } from './error'
import type { PluginSource } from './sources'

const logger = consola.withTag('gitvan:plugins')

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
    const options = pluginOptions(app, plugin, source, configName)
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
  const problem = pluginProblem(plugin)
  if (problem) throw new PluginError(`Plugin "${source.label}" (${source.where}) is not a valid GitVan plugin: ${problem}`)
  return plugin as GitVanPlugin
}

/** What is wrong with a plugin object's shape, `undefined` when nothing. */
function pluginProblem(plugin: unknown): string | undefined {
  if (!isPlainObject(plugin)) return `expected defineGitVanPlugin({ meta: { name }, setup }), got ${describeValue(plugin)}`
  const { meta, setup, defaults } = plugin as Partial<GitVanPlugin>
  if (!isPlainObject(meta) || typeof meta.name !== 'string' || meta.name.trim() === '') return '`meta.name` must be a non-empty string'
  if (meta.configKey !== undefined && (typeof meta.configKey !== 'string' || meta.configKey === '')) return '`meta.configKey` must be a non-empty string'
  const range = meta.compatibility === undefined ? undefined : rangeProblem(meta.compatibility)
  if (range) return `\`meta.compatibility\` ${JSON.stringify(meta.compatibility)} is not a version range: ${range}`
  if (setup !== undefined && typeof setup !== 'function') return '`setup` must be a function'
  if (defaults !== undefined && !isPlainObject(defaults)) return '`defaults` must be an object'
}

/** `defu(inline, config[configKey], defaults)`: the entry's options win over the config's, which win over defaults. */
function pluginOptions(app: GitVanApp, plugin: GitVanPlugin, source: PluginSource, configName: string): Record<string, any> {
  const { configKey, name } = plugin.meta
  const fromConfig = configKey ? (app.options as unknown as Record<string, unknown>)[configKey] : undefined
  if (fromConfig !== undefined && !isPlainObject(fromConfig)) {
    throw new PluginError(`Plugin "${name}" (${source.where}) reads its options from \`${configKey}\` in ${configName}, which must be an object, got ${describeValue(fromConfig)}`)
  }
  return defu(source.inline ?? {}, fromConfig ?? {}, plugin.defaults ?? {})
}
