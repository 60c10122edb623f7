import { defineCommand } from 'citty'
import type { ArgsDef, CommandDef, Resolvable } from 'citty'
import { assertKnownArgs } from './strict-args'

/**
 * citty's `defineCommand`, strict: before `run`, the raw arguments are checked against the command's `args`, so
 * `--paylod` or a stray argument is a one-line error with a suggestion instead of being ignored (see
 * `assertKnownArgs`). Every command uses it; `test/cli/strict.test.ts` walks them all.
 */
export function defineGitVanCommand<const T extends ArgsDef = ArgsDef>(def: CommandDef<T>): CommandDef<T> {
  return defineCommand<T>({
    ...def,
    async run(context) {
      const [meta, args] = await Promise.all([resolveValue(def.meta), resolveValue(def.args)])
      assertKnownArgs(context.rawArgs, args ?? {}, `gitvan ${meta?.name ?? ''}`.trim())
      return def.run?.(context)
    },
  })
}

async function resolveValue<V>(value: Resolvable<V> | undefined): Promise<V | undefined> {
  return typeof value === 'function' ? (value as () => V | Promise<V>)() : value
}
