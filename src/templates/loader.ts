import { readFileSync, statSync } from 'node:fs'
import type { FileSystemLoader, LoaderSource } from 'nunjucks'
import { resolve } from 'pathe'
import { isWithin } from '../utils/paths'
import { loadNunjucks } from './nunjucks'

export type TemplateLoader = FileSystemLoader & { searchPaths: string[] }

/** Defined on first use: it extends nunjucks' loader, and nunjucks loads only when a template environment is made. */
let StrictLoader: (new (dirs: string[]) => TemplateLoader) | undefined

/**
 * nunjucks' FileSystemLoader with a stricter lookup: a name must resolve inside its dir (nunjucks compares string
 * prefixes, so `../templates-old/x` passes for `templates`) and to a file, so a directory is "not found" instead of
 * an EISDIR error naming nothing. Search dirs are tried in order; `searchPaths` may grow (see `addDir`).
 */
export function createTemplateLoader(dirs: string[]): TemplateLoader {
  StrictLoader ??= class extends loadNunjucks().FileSystemLoader {
    declare searchPaths: string[]

    override getSource(name: string): LoaderSource {
      for (const dir of this.searchPaths) {
        const path = resolve(dir, name)
        if (isWithin(dir, path) && statSync(path, { throwIfNoEntry: false })?.isFile()) {
          return { src: readFileSync(path, 'utf8'), path, noCache: false }
        }
      }
      // nunjucks treats null as "not in this loader"; its typings omit it.
      return null as unknown as LoaderSource
    }
  }
  return new StrictLoader(dirs)
}
