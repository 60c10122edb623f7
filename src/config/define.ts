import type { GitVanConfig } from '../types/config'

/** Identity helper that types `gitvan.config.ts`. */
export function defineGitVanConfig(config: GitVanConfig): GitVanConfig {
  return config
}
