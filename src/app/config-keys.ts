import { knownConfigPaths } from '../config/schema'
import type { InstalledGitVanPlugin } from '../types/plugin'
import { suggest } from '../utils/suggest'
import { lazyLogger } from '../utils/logger'

const logger = lazyLogger('gitvan:config')
// Once per process and key: `gitvan dev` creates the app again on every config change.
const warned = new Set<string>()

/** Warn about config keys that neither GitVan nor an installed plugin (its `configKey`) reads, nested ones included, naming the file that sets each. */
export function warnUnknownKeys(unknownKeys: readonly string[], plugins: readonly InstalledGitVanPlugin[], sourceOf: (key: string) => string): void {
  const claimed = plugins.map(plugin => plugin.meta.configKey).filter((key): key is string => key !== undefined)
  const known = [...knownConfigPaths, ...claimed]
  for (const key of unknownKeys) {
    const source = sourceOf(key)
    if (claimed.includes(key) || warned.has(`${source}\0${key}`)) continue
    warned.add(`${source}\0${key}`)
    const close = suggest(key, known)
    const hint = close.length > 0 ? `did you mean ${close.join(', ')}?` : 'remove it, or install the plugin that reads it'
    logger.warn(`Unknown key "${key}" in ${source}: neither GitVan nor an installed plugin reads it; ${hint}`)
  }
}
