import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'pathe'
import { readTextFile } from '../utils/fs'
import { loadJiti } from '../utils/jiti'
import { isWithin } from '../utils/paths'
import type { GitVanPackage } from '../utils/self'
import type { AutoImports } from './imports'
import { jobIdFromPath, listFiles } from './scan'
import { createTranspiler } from './transpiler'

export interface ModuleLoader {
  /** Import a project file (job, plugin, `js` step module) with auto-imports. */
  import: <T = unknown>(file: string) => Promise<T>
  /**
   * Forget the project modules that `files` changed: those files and every loaded module that imports them, or
   * every project module (not node_modules, not GitVan's own) when `files` is not given, when a file of the
   * imports dirs is added, removed or exports other names, or when a loaded module imports what cannot be followed
   * (`import(name)`). The next import reads them again.
   * Returns the forgotten files, or `'all'`.
   */
  invalidate: (files?: readonly string[]) => Promise<ReadonlySet<string> | 'all'>
}

export interface ModuleLoaderOptions {
  root: string
  /** What `import ... from 'gitvan'` (and `'gitvan/kit'`) resolves to: the running GitVan. */
  entries: GitVanPackage['entries']
  /** Made again when a file of `importsDirs` changes, to see whether the auto-imports did. */
  autoImports: () => Promise<AutoImports>
  /** Dirs whose exports are auto-imported (composables, utils). */
  importsDirs: string[]
  /** Dirs whose files may use auto-imports without being imported by GitVan itself (composables, utils, plugins). */
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
  /** What each loaded file imports, by the hash of the source it was read from (`gitvan dev` only). */
  const importsByFile = new Map<string, { hash: string; files: string[] | undefined }>()
  const ownRoot = dirname(options.entries.gitvan)
  const { createJiti } = loadJiti()
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
  let autoImports = options.autoImports()
  let sharedReady: Promise<void> | undefined

  async function injectFile(file: string): Promise<void> {
    const source = readFileSync(file, 'utf8')
    const hash = sha1(source)
    if (injected.get(file)?.hash === hash) return
    injected.set(file, { hash, code: await (await autoImports).inject(source, file) })
  }

  async function injectShared(): Promise<void> {
    const files = (await Promise.all(options.sharedDirs.map(async dir => (await listFiles(dir)).map(path => join(dir, path))))).flat()
    // Helpers inside jobs dirs (`_shared.ts`, `_lib/x.ts`) may be imported by jobs; the jobs themselves are injected when loaded.
    for (const dir of options.jobsDirs) files.push(...(await listFiles(dir)).filter(path => jobIdFromPath(path) === null).map(path => join(dir, path)))
    await Promise.all(files.filter(file => CODE_FILE.test(file)).map(injectFile))
  }

  const isProjectModule = (file: string) => isWithin(options.root, file) && !file.includes('/node_modules/') && !isWithin(ownRoot, file)
  // jiti keys the modules it evaluates by their normalized path: a prefix sorts out the process's other modules cheaply.
  const loadedModules = () => Object.keys(moduleCache).filter(file => file.startsWith(options.root) && isProjectModule(file))

  function forgetAll(): 'all' {
    for (const file of loadedModules()) delete moduleCache[file]
    injected.clear()
    sharedReady = undefined
    return 'all'
  }

  /** The project files `file` imports, as it is now on disk; `undefined` when that cannot be known. */
  async function importsOf(file: string): Promise<string[] | undefined> {
    const code = injected.get(file)?.code ?? readTextFile(file) ?? ''
    const hash = sha1(code)
    const known = importsByFile.get(file)
    if (known?.hash === hash) return known.files
    const { importSpecifiers } = await loadModuleSyntax()
    const specifiers = importSpecifiers(code, file)
    const files = specifiers?.flatMap((specifier) => {
      const url = runtime.esmResolve(specifier, { parentURL: pathToFileURL(file).href, try: true })
      return url?.startsWith('file:') ? [fileURLToPath(url)] : []
    })
    importsByFile.set(file, { hash, files })
    return files
  }

  /** Whether the changed files of the imports dirs export what they did when they were injected. */
  async function sameExports(changed: string[]): Promise<boolean> {
    const { exportNames } = await loadModuleSyntax()
    return changed.every((file) => {
      const before = injected.get(file)?.code
      const after = readTextFile(file)
      if (before === undefined || after === undefined) return false
      const names = [exportNames(before, file), exportNames(after, file)]
      return names.every(Boolean) && names[0]!.join(',') === names[1]!.join(',')
    })
  }

  return {
    async import<T>(file: string): Promise<T> {
      await (sharedReady ??= injectShared())
      // A module still in the cache was not changed since it was evaluated: jiti will not transform it again.
      if (!moduleCache[file]) await injectFile(file)
      return (await runtime.import(file)) as T
    },
    async invalidate(files) {
      if (!files) {
        autoImports = options.autoImports()
        return forgetAll()
      }
      const shared = files.filter(file => options.importsDirs.some(dir => isWithin(dir, file)))
      if (shared.length > 0) {
        // Made again for the new sources (the injection cache is keyed on them); a new or removed export may be
        // picked up by any file: then every file is injected and loaded again.
        autoImports = options.autoImports()
        if (!(await sameExports(shared))) return forgetAll()
      }
      const loaded = loadedModules()
      const importers = new Map<string, string[]>()
      for (const file of loaded) {
        const imported = await importsOf(file)
        if (!imported) return forgetAll()
        for (const target of imported) importers.set(target, [...(importers.get(target) ?? []), file])
      }
      const forgotten = new Set<string>()
      const visit = (file: string) => {
        if (forgotten.has(file)) return
        forgotten.add(file)
        for (const importer of importers.get(file) ?? []) visit(importer)
      }
      // A module nothing imports is one GitVan imports itself (a job, a plugin, a `js` step): it goes alone.
      for (const file of files) visit(file)
      for (const file of forgotten) {
        delete moduleCache[file]
        injected.delete(file)
        importsByFile.delete(file)
      }
      // Shared files are injected again when their source changed (by hash), including new ones.
      sharedReady = undefined
      return forgotten
    },
  }
}

let moduleSyntax: Promise<typeof import('./module-syntax')> | undefined

/** The parser, for `gitvan dev` only: what imports what, and what a composable exports. */
function loadModuleSyntax(): Promise<typeof import('./module-syntax')> {
  return (moduleSyntax ??= import('./module-syntax'))
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}
