import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'pathe'
import type { Unimport } from 'unimport'
import type { GitVanImport } from '../types/app'
import { readTextFile, writeFileAtomic } from '../utils/fs'
import { gitvanPackage } from '../utils/self'
import { listFiles } from './scan'

/** What job, plugin and composable files get without an import line, from the running GitVan, by entry. */
const GITVAN_IMPORTS = {
  'gitvan': ['defineJob', 'useGitVan', 'tryUseGitVan', 'withGitVan', 'useGit', 'useExec', 'useTemplate', 'useJob', 'useLLM'],
  'gitvan/kit': ['defineGitVanPlugin'],
}

const CODE_FILE = /\.(m?ts|m?js)$/

export interface AutoImportsOptions {
  /** The extra imports plugins add. */
  imports: GitVanImport[]
  /** Dirs whose exports are auto-imported (composables, utils). */
  dirs: string[]
  /** Where injected sources are kept, by source and import map; none: every file goes through unimport. */
  cacheDir?: string
}

export interface AutoImports {
  /**
   * What the imports map depends on: GitVan's version and entries, the plugins' imports, and the files of `dirs`.
   * Two instances with one key inject every file alike.
   */
  key: string
  /** Add the imports `code` uses without importing them, on its first line: every line keeps its number. */
  inject: (code: string, file: string) => Promise<string>
  /** `declare global { const useGit: typeof import(...)['useGit'] ... }` for editors and tsc. */
  declarations: () => Promise<string>
}

/**
 * Auto-imports over GitVan's own composables (`from 'gitvan'` and `'gitvan/kit'`, which the loader and `.gitvan/tsconfig.json`
 * map to the running GitVan), the extra `imports` plugins add, and the exports of `dirs`. unimport (and its parsers)
 * loads only for a source it has not injected before under the same imports: a warm `gitvan run` never loads it.
 */
export async function createAutoImports(options: AutoImportsOptions): Promise<AutoImports> {
  const key = await importsKey(options)
  let unimport: Promise<Context> | undefined
  const context = () => (unimport ??= createContext(options))
  const cacheFile = (code: string, file: string) => options.cacheDir && join(options.cacheDir, `${hash(key, file, code)}.txt`)

  return {
    key,
    async inject(code, file) {
      const cached = cacheFile(code, file)
      const hit = cached ? readTextFile(cached) : undefined
      if (hit !== undefined) return hit
      const injected = await injectOnFirstLine(await context(), code, file)
      // A cache that cannot be written only costs the next process the injection.
      if (cached) await writeFileAtomic(cached, injected).catch(() => {})
      return injected
    },
    async declarations() {
      return (await context()).unimport.generateTypeDeclarations({ resolvePath: i => i.from.replace(/\.(m?ts|m?js)$/, '') })
    },
  }
}

/** unimport over the imports, scanned, and how it writes import lines. */
interface Context {
  unimport: Unimport
  stringifyImports: typeof import('unimport')['stringifyImports']
}

async function createContext(options: AutoImportsOptions): Promise<Context> {
  const { createUnimport, stringifyImports } = await import('unimport')
  const unimport = createUnimport({
    imports: [...Object.entries(GITVAN_IMPORTS).flatMap(([from, names]) => names.map(name => ({ name, from }))), ...options.imports],
    dirs: options.dirs.map(dir => `${dir}/**/*.{ts,mts,js,mjs}`),
    dirsScanOptions: { filePatterns: ['*.{ts,mts,js,mjs}'] },
  })
  await unimport.init()
  return { unimport, stringifyImports }
}

/**
 * unimport's own injection adds lines above the code, so a stack trace or a load error would name the line after the
 * right one (jiti keeps the lines it is given): the imports go on the first line (after a shebang).
 */
async function injectOnFirstLine({ unimport, stringifyImports }: Context, code: string, file: string): Promise<string> {
  const { isCJSContext, matchedImports } = await unimport.detectImports(code)
  const imports = matchedImports.filter(entry => entry.from !== file)
  if (imports.length === 0) return code
  const at = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0
  return `${code.slice(0, at)}${stringifyImports(imports, isCJSContext).replaceAll('\n', ' ')} ${code.slice(at)}`
}

/** The inputs of the imports map, hashed: the code files of `dirs` by path and content (what unimport scans), and GitVan's. */
async function importsKey(options: AutoImportsOptions): Promise<string> {
  const files = (await Promise.all(options.dirs.map(async dir => (await listFiles(dir)).filter(path => CODE_FILE.test(path)).map(path => join(dir, path))))).flat()
  const sources = files.map(file => [file, readTextFile(file) ?? ''])
  const { version, entries } = gitvanPackage()
  // This build too (its files are written anew by each build): how a source is injected may change without a release.
  const build = statSync(fileURLToPath(import.meta.url)).mtimeMs
  return hash(JSON.stringify({ version, build, entries, imports: options.imports, dirs: options.dirs, sources }))
}

function hash(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex')
}
