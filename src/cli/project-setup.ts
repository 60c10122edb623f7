import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { parseJSON, parseJSONC, stringifyJSON } from 'confbox'
import { join, relative, resolve } from 'pathe'
import picomatch from 'picomatch'
import type { GitVanApp } from '../types/app'
import { errorLine, isPlainObject } from '../utils/messages'

const PREPARE = 'gitvan prepare'
const GENERATED = './.gitvan/tsconfig.json'
const TYPES = '.gitvan/types/**/*.d.ts'

/**
 * Make `npm install` write the types, as Nuxt's `postinstall: nuxt prepare` does, so that a fresh clone
 * type-checks: a `prepare` script (npm, pnpm and yarn 1 run it on install in the project itself, never when the
 * project is installed as someone's dependency). An existing `prepare` script is left to its owner, with a tip.
 * Returns what was done, for the user; `null` when there is no package.json.
 */
export async function addPrepareScript(root: string): Promise<string | null> {
  const file = join(root, 'package.json')
  if (!existsSync(file)) return null
  const text = await readFile(file, 'utf8')
  let pkg: Record<string, any>
  try {
    pkg = parseJSON(text)
  } catch (error) {
    return `left package.json alone: it is not valid JSON (${errorLine(error)}); add "prepare": "${PREPARE}" to its scripts`
  }
  const current = pkg.scripts?.prepare
  if (typeof current === 'string' && current.includes(PREPARE)) return 'left package.json alone (its prepare script runs gitvan prepare)'
  if (current !== undefined) return `tip: package.json has a prepare script already: make it "${current} && ${PREPARE}" so that npm install writes the types`
  pkg.scripts = { ...(isPlainObject(pkg.scripts) ? pkg.scripts : {}), prepare: PREPARE }
  // The file's own indentation (two spaces for a one-line file), and a final newline as npm writes it.
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? 2
  await writeFile(file, `${stringifyJSON(pkg, { indent }).trimEnd()}\n`)
  return `added "prepare": "${PREPARE}" to package.json (npm install writes the types in a fresh clone)`
}

/**
 * What the project's tsconfig.json lacks for jobs to be type-checked with their auto-imports: `null` when it
 * extends the generated tsconfig without narrowing `include`, or includes the types and every GitVan folder that
 * exists; else one line saying exactly what to add.
 */
export async function tsconfigAdvice(app: GitVanApp, file: string): Promise<string | null> {
  const root = app.repo.root
  let config: Record<string, any>
  try {
    config = parseJSONC(await readFile(file, 'utf8'))
  } catch (error) {
    return `tip: tsconfig.json could not be read (${errorLine(error)}): "extends": "${GENERATED}" types jobs and their auto-imports`
  }
  const extendsGenerated = [config.extends ?? []].flat().some((base: unknown) => typeof base === 'string' && resolve(root, base) === resolve(root, GENERATED))
  const include: string[] | undefined = Array.isArray(config.include) ? config.include : undefined
  if (extendsGenerated && !include && !config.files) return null
  if (!include && !config.files) return `tip: tsconfig.json has no "include", so it does not see the generated types: add "include": ["**/*", "${TYPES}"] (or "extends": "${GENERATED}" if it is only for jobs)`
  const dirs = [...app.jobsDirs, ...app.importsDirs, resolve(root, app.options.pluginsDir)].filter(dir => existsSync(dir)).map(dir => relative(root, dir))
  const patterns = (include ?? []).map(pattern => pattern.replace(/^\.\//, '').replace(/\/$/, ''))
  const missing = [...(patterns.some(pattern => pattern.startsWith('.gitvan')) ? [] : [TYPES]), ...dirs.filter(dir => !covers(patterns, dir))]
  if (missing.length === 0) return null
  const now = include ? `includes only ${include.map(pattern => JSON.stringify(pattern)).join(', ')}` : 'lists only its "files"'
  return `tip: tsconfig.json ${now}, so jobs are not type-checked: add ${missing.map(entry => JSON.stringify(entry)).join(', ')} to its "include"`
}

/** Whether a tsconfig `include` pattern takes in the files of `dir` (a plain path is a folder and all under it). */
function covers(patterns: string[], dir: string): boolean {
  return patterns.some(pattern => (/[*?{[]/.test(pattern) ? picomatch(pattern)(`${dir}/job.ts`) : ['', '.', dir].includes(pattern) || dir.startsWith(`${pattern}/`)))
}
