import { AsyncLocalStorage } from 'node:async_hooks'
import { getContext } from 'unctx'
import type { GitVanContext } from '../types/context'

// getContext keys the context on globalThis, so a second copy of this module (a job loaded through jiti)
// still sees the same runs.
const gitvanContext = getContext<GitVanContext>('gitvan', { asyncContext: true, AsyncLocalStorage })

/** Run `fn` with `context` as the current GitVan context, across awaits. */
export function withGitVan<T>(context: GitVanContext, fn: () => T | Promise<T>): Promise<T> {
  return gitvanContext.callAsync(context, fn)
}

/** The current GitVan context; throws outside a job run. */
export function useGitVan(): GitVanContext {
  const context = gitvanContext.tryUse()
  if (!context) {
    throw new Error('useGitVan() was called outside a GitVan context: call it inside a job\'s run() or a composable used there, or wrap the call in withGitVan(context, fn)')
  }
  return context
}

/** The current GitVan context, or `undefined` outside a job run. */
export function tryUseGitVan(): GitVanContext | undefined {
  return gitvanContext.tryUse() ?? undefined
}
