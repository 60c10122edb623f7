import { existsSync } from 'node:fs'
import { loadConfig } from 'c12'
import type { GitVanConfig, ResolvedGitVanConfig } from '../types/config'
import { gitvanPackage } from '../utils/self'
import { configDefaults } from './defaults'
import { mergeConfig } from './merge'
import { ConfigError, validateConfig } from './schema'
import { RC_FILE, checkRcFile, configSourceOf, loadFailure } from './sources'

export interface LoadConfigOptions {
  /** Where to look for the config (the repository root). */
  cwd: string
  /** Highest priority values (CLI flags). */
  overrides?: GitVanConfig
  /** Explicit config file instead of `gitvan.config.*`. */
  configFile?: string
}

export interface LoadedConfig {
  config: ResolvedGitVanConfig
  /** Absolute path of the config file, if one exists. */
  configFile?: string
  /** Top-level keys GitVan does not know (plugins may claim them). */
  unknownKeys: string[]
  /** The file that sets a key path (`daemon.lookback`), for messages; `the overrides` for flags. */
  sourceOf: (path: string) => string
}

/**
 * Load the config. Priority, highest first: `overrides`, `gitvan.config.{ts,mts,js,mjs}`, `.gitvanrc`,
 * the `gitvan` key of package.json, then `configDefaults`. Arrays replace, objects merge.
 */
export async function loadGitVanConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  let result
  try {
    result = await loadConfig<GitVanConfig>(c12Options(options))
  } catch (error) {
    throw loadFailure(error, options.cwd, options.configFile)
  }
  checkRcFile(options.cwd)
  const configFile = result.configFile && existsSync(result.configFile) ? result.configFile : undefined
  if (options.configFile && !configFile) {
    throw new ConfigError(`Config file ${options.configFile} not found in ${options.cwd}: fix the --config path or leave it out to use gitvan.config.*`)
  }
  const config = { ...result.config, rootDir: options.cwd } as ResolvedGitVanConfig
  const sourceOf = configSourceOf(result, options.cwd)
  const unknownKeys = validateConfig(config, sourceOf)
  return { config, configFile, unknownKeys, sourceOf: path => sourceOf(path.split('.')) }
}

/** How c12 finds and merges the config: shared by loading and by `gitvan dev`'s watching. */
export function c12Options(options: LoadConfigOptions) {
  return {
    name: 'gitvan',
    cwd: options.cwd,
    configFile: options.configFile,
    rcFile: RC_FILE,
    globalRc: false,
    dotenv: false,
    packageJson: true,
    giget: false as const,
    defaults: configDefaults as GitVanConfig,
    overrides: options.overrides,
    merger: mergeConfig as (...sources: Array<GitVanConfig | null | undefined>) => GitVanConfig,
    // `import { defineGitVanConfig } from 'gitvan'` means the running GitVan, installed or not.
    jitiOptions: { alias: gitvanPackage().entries },
  }
}
