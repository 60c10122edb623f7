import type { ExecHandler } from '../types/exec'

export type ExecTypes = Map<string, { handler: ExecHandler; owner: string }>

/** An exec type registered twice, or one nobody registered. */
export class ExecTypeError extends Error {
  override name = 'ExecTypeError'
}

export function registerExecType(types: ExecTypes, name: string, handler: ExecHandler, owner: string): void {
  if (!/^[a-z][\w-]*$/i.test(name)) throw new ExecTypeError(`Exec type name "${name}" from ${owner} is invalid: use letters, digits, "-" or "_"`)
  if (typeof handler !== 'function') throw new ExecTypeError(`Exec type "${name}" from ${owner} needs a handler function`)
  const existing = types.get(name)
  if (existing) throw new ExecTypeError(`Exec type "${name}" is registered twice: by ${existing.owner} and by ${owner}; remove one of them`)
  types.set(name, { handler, owner })
}

export function resolveExecType(types: ReadonlyMap<string, { handler: ExecHandler }>, name: unknown): ExecHandler {
  const entry = typeof name === 'string' ? types.get(name) : undefined
  if (!entry) {
    const known = [...types.keys()].sort().join(', ')
    throw new ExecTypeError(`Unknown exec type ${JSON.stringify(name)}: known types are ${known} (plugins add more)`)
  }
  return entry.handler
}
