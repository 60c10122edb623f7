import { createUnimport, stringifyImports } from 'unimport'
import type { Unimport } from 'unimport'
import type { GitVanImport } from '../types/app'

/** What job, plugin and composable files get without an import line, from the running GitVan, by entry. */
const GITVAN_IMPORTS = {
  'gitvan': ['defineJob', 'useGitVan', 'tryUseGitVan', 'withGitVan', 'useGit', 'useExec', 'useTemplate', 'useJob', 'useLLM'],
  'gitvan/kit': ['defineGitVanPlugin'],
}

export interface AutoImports {
  /** Add the imports `code` uses without importing them, on its first line: every line keeps its number. */
  inject: (code: string, file: string) => Promise<string>
  /** `declare global { const useGit: typeof import(...)['useGit'] ... }` for editors and tsc. */
  declarations: () => Promise<string>
  unimport: Unimport
}

/**
 * Auto-imports over GitVan's own composables (`from 'gitvan'` and `'gitvan/kit'`, which the loader and `.gitvan/tsconfig.json`
 * map to the running GitVan), the extra `imports` plugins add, and the exports of `dirs`.
 */
export async function createAutoImports(options: { imports: GitVanImport[]; dirs: string[] }): Promise<AutoImports> {
  const unimport = createUnimport({
    imports: [...Object.entries(GITVAN_IMPORTS).flatMap(([from, names]) => names.map(name => ({ name, from }))), ...options.imports],
    dirs: options.dirs.map(dir => `${dir}/**/*.{ts,mts,js,mjs}`),
    dirsScanOptions: { filePatterns: ['*.{ts,mts,js,mjs}'] },
  })
  await unimport.init()
  return {
    unimport,
    async inject(code, file) {
      const { isCJSContext, matchedImports } = await unimport.detectImports(code)
      const imports = matchedImports.filter(entry => entry.from !== file)
      if (imports.length === 0) return code
      // unimport's own injection adds lines above the code, so a stack trace or a load error would name the line
      // after the right one (jiti keeps the lines it is given): the imports go on the first line (after a shebang).
      const at = code.startsWith('#!') ? code.indexOf('\n') + 1 : 0
      return `${code.slice(0, at)}${stringifyImports(imports, isCJSContext).replaceAll('\n', ' ')} ${code.slice(at)}`
    },
    async declarations() {
      return unimport.generateTypeDeclarations({ resolvePath: i => i.from.replace(/\.(m?ts|m?js)$/, '') })
    },
  }
}
