import { createUnimport } from 'unimport'
import type { Unimport } from 'unimport'
import type { GitVanImport } from '../types/app'

/** What job, plugin and composable files get without an import line, from the running GitVan, by entry. */
const GITVAN_IMPORTS = {
  'gitvan': ['defineJob', 'useGitVan', 'tryUseGitVan', 'withGitVan', 'useGit', 'useExec', 'useTemplate', 'useJob', 'useLLM'],
  'gitvan/kit': ['defineGitVanPlugin'],
}

export interface AutoImports {
  /** Add the imports `code` uses without importing them. */
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
      return (await unimport.injectImports(code, file)).code
    },
    async declarations() {
      return unimport.generateTypeDeclarations({ resolvePath: i => i.from.replace(/\.(m?ts|m?js)$/, '') })
    },
  }
}
