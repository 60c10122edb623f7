import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'pathe'
import type { GitVanConfig } from '../types/config'
import type { Jiti } from 'jiti'

/** The extensions c12 tries for `gitvan.config`, in its order: the first file found is the config. */
export const CONFIG_EXTENSIONS = ['.js', '.ts', '.mjs', '.cjs', '.mts', '.cts', '.json', '.jsonc', '.json5', '.yaml', '.yml', '.toml']
const CODE_EXTENSIONS = new Set(['.js', '.ts', '.mjs', '.cjs', '.mts', '.cts'])

export interface PlainConfig {
  /** The config file's value (its default export, or what its exported function returned); `{}` without a file. */
  config: GitVanConfig
  configFile?: string
}

/**
 * What c12 would read, when it is only a code config file at the root (or none): no `.gitvanrc`, no `gitvan` key in
 * the nearest package.json, no data-format file nor `.config/` folder to look in, and a config without `extends` or
 * `$`-keys (env-specific values, `$meta`). Then the defaults and overrides merge over it as c12 merges them, and c12,
 * with its dependencies, is not loaded: it costs more than the rest of a command. `undefined` when c12 is needed;
 * `loaded` then holds the config file's value, so c12 is handed it instead of evaluating the file again.
 */
export async function readPlainConfig(cwd: string, jiti: Jiti, loaded: Map<string, unknown>): Promise<PlainConfig | undefined> {
  if (existsSync(join(cwd, '.gitvanrc')) || packageJsonHasKey(cwd, 'gitvan') !== false) return undefined
  const base = join(cwd, 'gitvan.config')
  if (existsSync(base)) return undefined
  const ext = CONFIG_EXTENSIONS.find(candidate => isFile(base + candidate))
  if (!ext) return existsSync(join(cwd, '.config')) ? undefined : { config: {} }
  if (!CODE_EXTENSIONS.has(ext)) return undefined
  const configFile = base + ext
  let config = await jiti.import<unknown>(configFile, { default: true })
  if (typeof config === 'function') config = await config()
  loaded.set(configFile, config)
  const plain = config !== null && typeof config === 'object' && !Array.isArray(config)
    && !Object.keys(config).some(key => key === 'extends' || key.startsWith('$'))
  return plain ? { config: config as GitVanConfig, configFile } : undefined
}

/**
 * Whether the package.json nearest to `dir` (as c12 finds it, up to the first `node_modules`) has `key`: `false`
 * when it has not or there is none, `undefined` when it is not plain JSON (c12 reads JSONC).
 */
function packageJsonHasKey(dir: string, key: string): boolean | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const file = join(current, 'package.json')
    if (isFile(file)) {
      try {
        return Object.hasOwn(JSON.parse(readFileSync(file, 'utf8')) ?? {}, key)
      } catch {
        return undefined
      }
    }
    if (dirname(current) === current || current.endsWith('/node_modules')) return false
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false
}
