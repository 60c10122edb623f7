import type { GitVanApp } from './app'
import type { GitVanHooks } from './hooks'

export interface GitVanPluginMeta {
  name: string
  version?: string
  /** Key of the user's config holding this plugin's options. */
  configKey?: string
  /** Semver range of GitVan versions the plugin works with, e.g. `^2.1.0`. */
  compatibility?: string
}

export interface GitVanPlugin<Options extends Record<string, any> = Record<string, any>> {
  meta: GitVanPluginMeta
  defaults?: Partial<Options>
  hooks?: Partial<GitVanHooks>
  setup?: (options: Options, gitvan: GitVanApp) => void | Promise<void>
}

/** A plugin as listed in the config: a package name, `[name, options]`, or an inline plugin. */
export type GitVanPluginEntry = string | [string, Record<string, any>] | GitVanPlugin<any>
