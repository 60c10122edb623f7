import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * A CommonJS package loaded synchronously on first use: a command that never renders a template or checks a
 * version range never pays for loading nunjucks or semver, and sync APIs stay sync.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= require(id) as T)
}
