import { AsyncLocalStorage } from 'node:async_hooks'

// Who is registering: a plugin's name while its setup or one of its hooks runs, `gitvan.config` for config
// hooks. Async context, so a hook registered after an await in setup still belongs to the plugin.
const owners = new AsyncLocalStorage<string>()

/** Run `fn` on behalf of `owner`: hooks and exec types it registers belong to it. */
export function runAsOwner<T>(owner: string, fn: () => T): T {
  return owners.run(owner, fn)
}

/** The plugin (or `gitvan.config`) running now, `undefined` outside any. */
export function currentOwner(): string | undefined {
  return owners.getStore()
}
