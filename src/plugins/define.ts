import type { GitVanPlugin } from '../types/plugin'

/** Identity helper that types a plugin; GitVan checks the shape when it installs it. */
export function defineGitVanPlugin<Options extends Record<string, any> = Record<string, any>>(plugin: GitVanPlugin<Options>): GitVanPlugin<Options> {
  return plugin
}
