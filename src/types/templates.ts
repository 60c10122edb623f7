import type { Environment } from 'nunjucks'

/** Values a template can read: render data, or `globals` shared by every render. */
export type TemplateData = Record<string, unknown>

export interface TemplateEnvOptions {
  /** Absolute repository root: relative `dirs` and every `renderToFile` output are resolved against it. */
  root: string
  /**
   * Template search dirs, relative to `root` or absolute, in priority order: the first dir holding a template
   * wins. Dirs that do not exist are skipped.
   */
  dirs: string[]
  /** HTML-escape output. Off by default: GitVan templates produce code and docs, not HTML. */
  autoescape?: boolean
  /** Clock for the `date` filter and `now()`; templates never read the wall clock, so renders are reproducible. */
  now: () => Date
  /** Values available in every template (GitVan passes `git: { head, branch, ... }`). */
  globals?: TemplateData
  /**
   * Where `renderToFile` records its temp file while it exists, so that the next daemon start removes one a killed
   * process left (GitVan's runs pass `<git common dir>/gitvan/tmp`).
   */
  tempJournal?: string
}

export interface RenderedFile {
  /** Written file, relative to the root. */
  path: string
  /** Size of the written content in bytes (UTF-8). */
  bytes: number
}

/**
 * Nunjucks templates for GitVan jobs. Templates are code, not a sandbox: they can call any function reachable
 * from their data and globals, so only render templates you trust.
 */
export interface TemplateEnv {
  /** Render the template `name`, looked up in the dirs. */
  render(name: string, data?: TemplateData): string
  /** Render template source given inline; it can include/extend templates from the dirs. */
  renderString(source: string, data?: TemplateData): string
  /** Render `name` and write it atomically to `out` (relative to the root, which it may not leave). */
  renderToFile(name: string, out: string, data?: TemplateData): Promise<RenderedFile>
  /** Add a search dir with the lowest priority: templates of earlier dirs (the project's) override it. */
  addDir(dir: string): void
  /** The underlying nunjucks environment, for advanced use (extra filters, extensions). */
  readonly env: Environment
}
