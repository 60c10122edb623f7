import { createHooks } from 'hookable'
import type { Hookable } from 'hookable'
import type { GitVanHooks } from '../types/hooks'
import { suggest } from '../utils/suggest'
import { errorLine } from '../utils/messages'
import { describeValue } from '../utils/describe'
import { is, recordOf } from '../utils/rules'
import { currentOwner, runAsOwner } from './owner'
import { lazyLogger } from '../utils/logger'

const logger = lazyLogger('gitvan:hooks')

/** GitVan's own hook names, to catch typos in its namespaces (plugins' hooks live in their own). */
const GITVAN_HOOK_NAMES = [
  'config:resolved',
  'jobs:scanned',
  'job:before',
  'job:after',
  'job:error',
  'exec:types',
  'llm:providers',
  'receipt:written',
  'daemon:start',
  'daemon:tick',
  'daemon:close',
  'dev:reload',
  'close',
] as const

const GITVAN_NAMESPACES = new Set(GITVAN_HOOK_NAMES.map(name => name.split(':')[0]!).filter(ns => ns !== 'close'))

/**
 * A hookable whose every registration (`hook`, `addHooks`, `hookOnce`) is guarded: the function runs as its
 * owner, and a throw is reported on one line with that owner's name instead of failing the caller, so the
 * other hooks of the event still run. Hookable already awaits each hook in turn.
 */
export function createGitVanHooks(): Hookable<GitVanHooks> {
  const hooks = createHooks<GitVanHooks>()
  const register = hooks.hook
  hooks.hook = (name, fn, options) => register(name, guard(name, fn, currentOwner() ?? 'app.hook()'), options)
  return hooks
}

function guard<F extends (...args: any[]) => any>(name: string, fn: F, owner: string): F {
  const guarded = async (...args: unknown[]) => {
    try {
      await runAsOwner(owner, () => fn(...args))
    } catch (error) {
      logger.error(`Hook "${name}" of ${owner} failed and was skipped: ${errorLine(error)}`)
    }
  }
  return guarded as unknown as F
}

const isFunctions = (value: unknown): boolean => [value].flat().length > 0 && [value].flat().every(fn => typeof fn === 'function')
const hooksRule = recordOf(is(isFunctions, 'a function or an array of functions'), 'an object like { \'job:after\': (event, result) => {} }')

/**
 * Register `hooks` (a config's or a plugin's `hooks` object: a function or an array of them per name) as
 * `owner`. `where` says whose object it is in errors: `gitvan.config.ts`, `plugin "foo"`.
 */
export function registerHooks(app: { hook: Hookable<GitVanHooks>['hook'] }, hooks: unknown, owner: string, where: string): void {
  if (hooks === undefined) return
  const problem = hooksRule(hooks)
  if (problem) {
    const path = problem.keys.length === 0 ? 'hooks' : `hooks[${JSON.stringify(problem.keys[0])}]`
    throw new TypeError(`\`${path}\` in ${where} must be ${problem.message}, got ${describeValue(problem.value)}`)
  }
  for (const [name, value] of Object.entries(hooks as Record<string, any>)) {
    const fns = [value].flat()
    warnUnknownHook(name, where)
    runAsOwner(owner, () => {
      for (const fn of fns) app.hook(name as keyof GitVanHooks, fn)
    })
  }
}

/** A name in one of GitVan's namespaces that GitVan never calls is most likely a typo. */
function warnUnknownHook(name: string, where: string): void {
  const namespace = name.split(':')[0]!
  if (!GITVAN_NAMESPACES.has(namespace) || (GITVAN_HOOK_NAMES as readonly string[]).includes(name)) return
  const close = suggest(name, GITVAN_HOOK_NAMES)
  logger.warn(`Unknown hook "${name}" in ${where}: GitVan never calls it${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`)
}
