import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'pathe'

/** The running GitVan package: its root folder, version, and the entries `import ... from 'gitvan'` must mean. */
export interface GitVanPackage {
  root: string
  version: string
  /** Specifier -> file: `src/index.ts` and `src/kit.ts` when running from source, `dist/*.mjs` when built. */
  entries: { 'gitvan': string; 'gitvan/kit': string }
  /** The web page's assets: `src/ui` from source, `dist/ui` when built. */
  uiDir: string
}

let cached: GitVanPackage | undefined

export function gitvanPackage(): GitVanPackage {
  if (cached) return cached
  const here = fileURLToPath(import.meta.url)
  let dir = dirname(here)
  while (!isGitVanRoot(dir)) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`Cannot find GitVan's package.json above ${here}: the installation is broken, reinstall gitvan`)
    dir = parent
  }
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }
  const fromSource = here.endsWith('.ts')
  const entry = (name: string) => join(dir, fromSource ? `src/${name}.ts` : `dist/${name}.mjs`)
  cached = { root: dir, version, entries: { 'gitvan': entry('index'), 'gitvan/kit': entry('kit') }, uiDir: join(dir, fromSource ? 'src/ui' : 'dist/ui') }
  return cached
}

function isGitVanRoot(dir: string): boolean {
  const file = join(dir, 'package.json')
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'gitvan'
}
