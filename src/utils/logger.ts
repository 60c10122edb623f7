import type { ConsolaInstance } from 'consola'
import { lazyRequire } from './lazy-require'

/**
 * consola, loaded on the first line GitVan prints through it: its main entry sets up its fancy reporter (an
 * `Intl.Segmenter`, Unicode tables) as it loads, which costs more than a whole `gitvan run`. GitVan uses this one
 * copy everywhere, so a level or reporter set on it holds for all of GitVan's lines.
 */
export const loadConsola = lazyRequire<typeof import('consola')>('consola')

/** `consola.withTag(tag)`, made when first used: a module can hold its logger without loading consola. */
export function lazyLogger(tag: string): ConsolaInstance {
  let logger: ConsolaInstance | undefined
  const instance = () => (logger ??= loadConsola().consola.withTag(tag))
  return new Proxy({} as ConsolaInstance, {
    get: (_, key) => Reflect.get(instance(), key),
    set: (_, key, value) => Reflect.set(instance(), key, value),
  })
}
