import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'pathe'
import { readTextFile, writeFileAtomic } from '../utils/fs'
import { gitvanPackage } from '../utils/self'
import type { StaticJobInfo } from './static'

/** What is read from a source: the info, or `null` when a value is not a literal (the file is imported instead). */
export type StaticRead = (source: string, file: string) => Promise<StaticJobInfo | null>

let parser: Promise<typeof import('./static')> | undefined

/** The parser, loaded once (for `gitvan list` and to explain a load error): a job that loads never needs it. */
export function loadStaticReader(): Promise<typeof import('./static')> {
  return (parser ??= import('./static'))
}

/**
 * `readStaticJobInfo`, remembered by source in `dir` (when given): a warm `gitvan list` neither loads the parser nor
 * parses. Keyed on this GitVan (its version and this build), so a new one reads every file again; a file that does
 * not parse is never remembered (it throws every time, with where and why).
 */
export function createStaticRead(dir: string | undefined): StaticRead {
  const build = dir && `${gitvanPackage().version}\0${statSync(fileURLToPath(import.meta.url)).mtimeMs}`
  return async (source, file) => {
    const cached = dir && join(dir, `${createHash('sha1').update(`${build}\0${source}`).digest('hex')}.json`)
    const hit = cached ? readTextFile(cached) : undefined
    if (hit !== undefined) return JSON.parse(hit) as StaticJobInfo | null
    const info = (await loadStaticReader()).readStaticJobInfo(source, file)
    // A value JSON cannot hold as it is (a bigint, an infinite number) is not remembered: it is read again next time.
    if (cached && isJson(info)) await writeFileAtomic(cached, JSON.stringify(info)).catch(() => {})
    return info
  }
}

function isJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isJson)
  return typeof value === 'object' && Object.values(value as object).every(isJson)
}
