import type { GitVanApp } from './app'
import type { GitVanHooks } from './hooks'

export interface GitVanPluginMeta {
  /** Unique name (a package's name, e.g. `gitvan-plugin-notify`): owner of its hooks and exec types; installed once. */
  name: string
  /** The plugin's own version (its package's), shown with it in `app.plugins`. */
  version?: string
  /**
   * Top-level key of the user's config holding this plugin's options (it no longer warns as unknown). Type it by
   * declaration merging: `declare module 'gitvan' { interface GitVanConfig { notify?: Partial<NotifyOptions> } }`.
   */
  configKey?: string
  /** GitVan versions the plugin works with: `^2.1.0`, `>=2.1.0 <3`, `2.1.0`, `~2.1`, joined with `||`. */
  compatibility?: string
}

/** Options are `defu(inline options, config[meta.configKey], defaults)`. */
export interface GitVanPlugin<Options extends Record<string, any> = Record<string, any>> {
  meta: GitVanPluginMeta
  /** Default options, or a function of the app making them (`(gitvan) => ({ dir: gitvan.repo.root })`). */
  defaults?: Partial<Options> | ((gitvan: GitVanApp) => Partial<Options> | Promise<Partial<Options>>)
  /** Registered before `setup` runs. */
  hooks?: Partial<GitVanHooks>
  setup?: (options: Options, gitvan: GitVanApp) => void | Promise<void>
}

/** A plugin as listed in the config: a package name (or `./path`), `[name, options]`, or an inline plugin. */
export type GitVanPluginEntry = string | [string, Record<string, any>] | GitVanPlugin<any>

/** A plugin GitVan installed (see `app.plugins`). */
export interface InstalledGitVanPlugin {
  meta: GitVanPluginMeta
  /** The merged options its `setup` received. */
  options: Record<string, any>
  /** Where it came from: `plugins[1] in gitvan.config.ts` or `local plugin plugins/foo.ts`. */
  source: string
}
