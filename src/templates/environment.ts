import { existsSync, statSync } from 'node:fs'
import type { Environment } from 'nunjucks'
import { relative, resolve } from 'pathe'
import type { RenderedFile, TemplateData, TemplateEnv, TemplateEnvOptions } from '../types/templates'
import { writeFileAtomic } from '../utils/fs'
import { resolveInside } from '../utils/paths'
import { TemplateError } from './error'
import { registerHelpers } from './filters'
import { createTemplateLoader } from './loader'
import { fromNunjucksError, STRING_TEMPLATE } from './nunjucks-error'
import { loadNunjucks } from './nunjucks'
import { checkData, checkDir, checkName, checkSource, validateOptions } from './validate'

type GetTemplate = (name: unknown, eagerCompile?: unknown, ...rest: unknown[]) => unknown

/**
 * Nunjucks compiles an included (or imported) template only when it renders it, and then hands a syntax error to
 * its callback on a later tick: even a synchronous render cannot catch it, and the process dies of it. Compiled
 * when loaded, the template's syntax error goes back through the including template, which reports it.
 */
function compileOnLoad(env: Environment): void {
  const getTemplate = (env.getTemplate as GetTemplate).bind(env)
  // Includes pass `false`; a callback in its place is the short form of top-level renders, which compile anyway.
  ;(env as { getTemplate: GetTemplate }).getTemplate = (name, eagerCompile, ...rest) => getTemplate(name, eagerCompile === false ? true : eagerCompile, ...rest)
}

/**
 * Nunjucks environment over the template dirs. Nunjucks is not a sandbox: a template can call anything reachable
 * from its data and globals, so templates are code and must be trusted like jobs.
 * Creating one does no I/O beyond checking the root, so a dev server can rebuild it on every change.
 */
export function createTemplateEnv(options: TemplateEnvOptions): TemplateEnv {
  validateOptions(options)
  const root = resolve(options.root)
  // Dirs that do not exist are skipped by the loader; dirs may be outside the root (a plugin's package).
  const loader = createTemplateLoader(options.dirs.map(dir => resolve(root, dir)))
  const env = new (loadNunjucks().Environment)(loader, {
    autoescape: options.autoescape ?? false,
    throwOnUndefined: true,
    // Keeps nunjucks' original error objects (with line, column and cause) for fromNunjucksError.
    dev: true,
  })
  compileOnLoad(env)
  registerHelpers(env, options.now)
  for (const [name, value] of Object.entries(options.globals ?? {})) env.addGlobal(name, value)

  function attempt<T>(run: () => T, source?: string): T {
    try {
      return run()
    } catch (error) {
      throw fromNunjucksError(error, { root, dirs: loader.searchPaths, source })
    }
  }

  function render(name: string, data?: TemplateData): string {
    return attempt(() => env.render(checkName(name), checkData(data, `Data for template "${name}"`)))
  }

  return {
    env,
    render,
    renderString: (source, data) =>
      attempt(() => env.renderString(checkSource(source), checkData(data, `Data for ${STRING_TEMPLATE}`)), source),

    async renderToFile(name: string, out: string, data?: TemplateData): Promise<RenderedFile> {
      const target = resolveInside(root, out, 'template output')
      if (existsSync(target) && statSync(target).isDirectory()) {
        throw new TemplateError(`Cannot write template output "${out}": it is a directory (give a file path)`)
      }
      const content = render(name, data)
      await writeFileAtomic(target, content, options.tempJournal)
      return { path: relative(root, target), bytes: Buffer.byteLength(content) }
    },

    // Appended, so it has the lowest priority: project dirs (given first) override templates of plugins added later.
    // Appending also keeps cached templates valid, since a lower-priority dir cannot shadow them.
    addDir(dir: string): void {
      const path = resolve(root, checkDir(dir, 'addDir'))
      if (!loader.searchPaths.includes(path)) loader.searchPaths.push(path)
    },
  }
}
