import { existsSync } from 'node:fs'
import type { ResolvedConfig } from 'c12'
import type { Jiti } from 'jiti'
import { join } from 'pathe'
import type { GitVanConfig, ResolvedGitVanConfig } from '../types/config'
import { loadJiti } from '../utils/jiti'
import { gitvanPackage } from '../utils/self'
import { configDefaults } from './defaults'
import { mergeConfig } from './merge'
import { CONFIG_EXTENSIONS, readPlainConfig } from './plain'
import type { PlainConfig } from './plain'
import { ConfigError, validateConfig } from './schema'
import { RC_FILE, checkRcFile, configSourceOf, loadFailure } from './sources'

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
  /** The file that sets a key path (`daemon.lookback`), for messages; `the overrides` for flags. */
  sourceOf: (path: string) => string
}

/**
 * Load the config. Priority, highest first: `overrides`, `gitvan.config.{ts,mts,js,mjs}`, `.gitvanrc`,
 * the `gitvan` key of package.json, then `configDefaults`. Arrays replace, objects merge.
 */
export async function loadGitVanConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const jiti = configJiti(options)
  const loaded = new Map<string, unknown>()
  let result: ResolvedConfig<GitVanConfig>
  try {
    const plain = options.configFile === undefined ? await readPlainConfig(options.cwd, jiti, loaded) : undefined
    result = plain ? asC12Would(plain, options) : await (await import('c12')).loadConfig<GitVanConfig>({ ...c12Options(options), jiti: handing(jiti, loaded) })
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

/**
 * What c12 gives for a lone config file: the overrides over it and the defaults under both, with its layers (the
 * overrides, then the file) for `configSourceOf`.
 */
function asC12Would(plain: PlainConfig, options: LoadConfigOptions): ResolvedConfig<GitVanConfig> {
  const { overrides } = options
  return {
    config: mergeConfig(mergeConfig(overrides ?? {}, plain.config), configDefaults as GitVanConfig),
    configFile: plain.configFile,
    cwd: options.cwd,
    layers: [...(overrides ? [{ config: overrides }] : []), ...(plain.configFile ? [{ config: plain.config, configFile: 'gitvan.config', cwd: options.cwd }] : [])],
  }
}

/** `jiti`, except that a file read already gives back its value: c12 does not evaluate the config a second time. */
function handing(jiti: Jiti, loaded: Map<string, unknown>): Jiti {
  return Object.assign(Object.create(jiti), {
    import: async (id: string, options?: object) => (loaded.has(id) ? loaded.get(id) : jiti.import(id, options)),
  }) as Jiti
}
