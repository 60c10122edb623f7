import { existsSync } from 'node:fs'
import type { Jiti } from 'jiti'
import { join } from 'pathe'
import type { GitVanConfig, ResolvedGitVanConfig } from '../types/config'
import { loadJiti } from '../utils/jiti'
import { gitvanPackage } from '../utils/self'
import { configDefaults } from './defaults'
import { mergeConfig } from './merge'
import { CONFIG_EXTENSIONS, readPlainConfig } from './plain'
import { ConfigError, validateConfig } from './schema'
import { errorLine } from '../utils/messages'

export interface LoadConfigOptions {
  /** Where to look for the config (the repository root). */
  cwd: string
  /** Highest priority values (CLI flags). */
  overrides?: GitVanConfig
  /** Explicit config file instead of `gitvan.config.*`. */
  configFile?: string
  /** Where jiti keeps the transpiled config (jiti's default place without it). */
  cacheDir?: string
}

export interface LoadedConfig {
  config: ResolvedGitVanConfig
  /** Absolute path of the config file, if one exists. */
  configFile?: string
  /** Top-level keys GitVan does not know (plugins may claim them). */
  unknownKeys: string[]
}

/**
 * Load the config. Priority, highest first: `overrides`, `gitvan.config.{ts,mts,js,mjs}`, `.gitvanrc`,
 * the `gitvan` key of package.json, then `configDefaults`. Arrays replace, objects merge.
 */
export async function loadGitVanConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const jiti = configJiti(options)
  const loaded = new Map<string, unknown>()
  let result: { config: GitVanConfig; configFile?: string }
  try {
    const plain = options.configFile === undefined ? await readPlainConfig(options.cwd, jiti, loaded) : undefined
    // What c12 does for a lone config file: the overrides over it, and the defaults under both.
    result = plain
      ? { config: mergeConfig(mergeConfig(options.overrides ?? {}, plain.config), configDefaults as GitVanConfig), configFile: plain.configFile }
      : await (await import('c12')).loadConfig<GitVanConfig>({ ...c12Options(options), jiti: handing(jiti, loaded) })
  } catch (error) {
    const file = options.configFile ?? 'gitvan.config.ts'
    throw new ConfigError(`Cannot load ${file} in ${options.cwd}: ${errorLine(error)}`)
  }
  const configFile = result.configFile && existsSync(result.configFile) ? result.configFile : undefined
  if (options.configFile && !configFile) {
    throw new ConfigError(`Config file ${options.configFile} not found in ${options.cwd}: fix the --config path or leave it out to use gitvan.config.*`)
  }
  const config = { ...result.config, rootDir: options.cwd } as ResolvedGitVanConfig
  const unknownKeys = validateConfig(config, configFile ?? 'the config')
  return { config, configFile, unknownKeys }
}

/** How c12 finds and merges the config: shared by loading and by `gitvan dev`'s watching. */
export function c12Options(options: LoadConfigOptions) {
  return {
    name: 'gitvan',
    cwd: options.cwd,
    configFile: options.configFile,
    rcFile: '.gitvanrc',
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

/** The jiti c12 would make for the config (see `c12Options`), loaded without c12, its cache where `cacheDir` says. */
function configJiti(options: LoadConfigOptions): Jiti {
  return loadJiti().createJiti(join(options.cwd, 'gitvan.config'), {
    interopDefault: true,
    moduleCache: false,
    extensions: CONFIG_EXTENSIONS,
    alias: gitvanPackage().entries,
    ...(options.cacheDir ? { fsCache: options.cacheDir } : {}),
  })
}

/** `jiti`, except that a file read already gives back its value: c12 does not evaluate the config a second time. */
function handing(jiti: Jiti, loaded: Map<string, unknown>): Jiti {
  return Object.assign(Object.create(jiti), {
    import: async (id: string, options?: object) => (loaded.has(id) ? loaded.get(id) : jiti.import(id, options)),
  }) as Jiti
}
