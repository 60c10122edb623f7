import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { readFile } from 'node:fs/promises'
import { createJiti } from 'jiti'
import { dirname, join } from 'pathe'
import { isWithin } from '../utils/paths'
import type { GitVanPackage } from '../utils/self'
import type { AutoImports } from './imports'
import { jobIdFromPath, listFiles } from './scan'
import { createTranspiler } from './transpiler'

export interface ModuleLoader {
  /** Import a project file (job, plugin, `js` step module) with auto-imports. */
  import: <T = unknown>(file: string) => Promise<T>
  /** Forget every cached project module (not node_modules, not GitVan's own) so the next import reads them again. */
  invalidate: () => void
}

export interface ModuleLoaderOptions {
  root: string
  /** What `import ... from 'gitvan'` (and `'gitvan/kit'`) resolves to: the running GitVan. */
  entries: GitVanPackage['entries']
  autoImports: AutoImports
  /** Dirs whose files may use auto-imports without being imported by GitVan itself (composables, utils). */
  sharedDirs: string[]
  /** Jobs dirs: their non-job files (helpers) get auto-imports too. */
  jobsDirs: string[]
  /** Where jiti keeps transpiled files. */
  cacheDir: string
}

const CODE_FILE = /\.(m?ts|m?js)$/

/** Node's CommonJS module cache, where jiti keeps the modules it evaluated. */
const moduleCache = createRequire(import.meta.url).cache

/**
 * Load project files through jiti with unimport's auto-imports. unimport's inject is async and jiti's
 * transform is sync, so every file GitVan may evaluate is injected first; jiti's transform then swaps in
 * the injected source, and its disk cache is keyed on that source, so a new composable invalidates it.
 */
export function createModuleLoader(options: ModuleLoaderOptions): ModuleLoader {
  const injected = new Map<string, { hash: string; code: string }>()
  const ownRoot = dirname(options.entries.gitvan)
  const transpile = createTranspiler(options.root, options.cacheDir)
  // moduleCache: the project's modules (and GitVan's, when aliased) load once and are shared, as in Node.
  const runtime = createJiti(join(options.root, '_'), {
    fsCache: false,
    moduleCache: true,
    interopDefault: true,
    alias: options.entries,
    transform: transformOptions => ({
      code: transpile({ ...transformOptions, source: (transformOptions.filename && injected.get(transformOptions.filename)?.code) ?? transformOptions.source }),
    }),
  })
  let sharedReady: Promise<void> | undefined

  async function injectFile(file: string): Promise<void> {
    const source = await readFile(file, 'utf8')
    const hash = createHash('sha1').update(source).digest('hex')
    if (injected.get(file)?.hash === hash) return
    injected.set(file, { hash, code: await options.autoImports.inject(source, file) })
  }

  async function injectShared(): Promise<void> {
    const files = (await Promise.all(options.sharedDirs.map(async dir => (await listFiles(dir)).map(path => join(dir, path))))).flat()
    // Helpers inside jobs dirs (`_shared.ts`, `_lib/x.ts`) may be imported by jobs; the jobs themselves are injected when loaded.
    for (const dir of options.jobsDirs) files.push(...(await listFiles(dir)).filter(path => jobIdFromPath(path) === null).map(path => join(dir, path)))
    await Promise.all(files.filter(file => CODE_FILE.test(file)).map(injectFile))
  }

  return {
    async import<T>(file: string): Promise<T> {
      await (sharedReady ??= injectShared())
      await injectFile(file)
      return (await runtime.import(file)) as T
    },
    invalidate() {
      // Every project module goes, not just the changed files: a job keeps the composables it imported.
      for (const file of Object.keys(moduleCache)) {
        if (isWithin(options.root, file) && !file.includes('/node_modules/') && !isWithin(ownRoot, file)) delete moduleCache[file]
      }
      injected.clear()
      sharedReady = undefined
    },
  }
}
