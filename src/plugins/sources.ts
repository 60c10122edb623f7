import { existsSync, statSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join, relative, resolve } from 'pathe'
import { jobIdFromPath, listFiles } from '../jobs/scan'
import { describeValue } from '../utils/describe'
import { isPlainObject } from '../utils/messages'
import { loadJiti } from '../utils/jiti'
import { isPathSpecifier } from '../utils/paths'
import type { GitVanApp } from '../types/app'
import { PluginError } from './error'

/** One plugin to install, before it is loaded. */
export interface PluginSource {
  /** What to call it until its `meta.name` is known: the package name, path or file. */
  label: string
  /** Where it is listed: `plugins[1] in gitvan.config.ts`, `local plugin plugins/foo.ts`. */
  where: string
  /** Options of a `[name, options]` entry. */
  inline?: Record<string, any>
  /** The plugin object (not checked yet). */
  load: () => Promise<unknown>
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs']

/** The config's `plugins` entries, in order. `configName` is the config file as shown in messages. */
export function configPluginSources(app: GitVanApp, entries: readonly unknown[], configName: string): PluginSource[] {
  return entries.map((entry, index) => {
    const where = `plugins[${index}] in ${configName}`
    if (isPlainObject(entry)) {
      const name = (entry as { meta?: { name?: unknown } }).meta?.name
      return { label: typeof name === 'string' && name ? name : 'inline plugin', where, load: async () => entry }
    }
    const [specifier, inline] = parseEntry(entry, where)
    return { label: specifier, where, inline, load: async () => importPlugin(app, resolvePlugin(app.repo.root, specifier)) }
  })
}

/** The code files directly in `pluginsDir` and its `<folder>/index.*` files, sorted (same naming rules as jobs). */
export async function localPluginSources(app: GitVanApp): Promise<PluginSource[]> {
  const dir = resolve(app.repo.root, app.options.pluginsDir)
  const files = (await listFiles(dir)).filter(path => jobIdFromPath(path) !== null && (!path.includes('/') || /^[^/]+\/index\.m?[jt]s$/.test(path)))
  return files.map((path) => {
    const file = join(dir, path)
    const label = relative(app.repo.root, file)
    return { label, where: `local plugin ${label}`, load: () => importPlugin(app, file) }
  })
}

function parseEntry(entry: unknown, where: string): [string, Record<string, any> | undefined] {
  const [specifier, options, ...rest] = Array.isArray(entry) ? entry : [entry]
  const fits = typeof specifier === 'string' && specifier.trim() !== '' && rest.length === 0
    && (options === undefined || isPlainObject(options))
  if (!fits) {
    throw new PluginError(`Invalid plugin entry ${where}: expected a package name, [name, { options }] or defineGitVanPlugin({ ... }), got ${describeValue(entry)}`)
  }
  return [specifier, options]
}

/** A package name is resolved from the project (its node_modules), never from GitVan's own; a path from the root. */
function resolvePlugin(root: string, specifier: string): string {
  if (isPathSpecifier(specifier)) {
    const base = resolve(root, specifier)
    const file = [base, ...EXTENSIONS.map(ext => base + ext), ...EXTENSIONS.map(ext => join(base, `index${ext}`))].find(isFile)
    if (!file) throw new Error(`Cannot find ${base}: check the path (relative to ${root})`)
    return file
  }
  const url = loadJiti().createJiti(join(root, '_')).esmResolve(specifier, { try: true, parentURL: pathToFileURL(join(root, '_')) })
  if (!url) throw new Error(`Cannot find package "${specifier}" from ${root}: run \`npm install ${specifier}\` there`)
  return url.startsWith('file:') ? fileURLToPath(url) : url
}

/** Import through the app's loader: `import ... from 'gitvan'` means the running GitVan, auto-imports work. */
async function importPlugin(app: GitVanApp, file: string): Promise<unknown> {
  const mod = await app.importModule<{ default?: unknown }>(file)
  // jiti's interopDefault answers `.default` with the namespace itself when there is none: look at the keys.
  if (!Object.keys(mod ?? {}).includes('default')) throw new Error(`${relative(app.repo.root, file)} has no default export: add \`export default defineGitVanPlugin({ ... })\``)
  return mod.default
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile()
}
