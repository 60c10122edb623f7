import { hostname } from 'node:os'

let name: string | undefined

/** This machine's name, read once: receipts, contexts and group names ask for it on every run. */
export function hostName(): string {
  return name ??= hostname()
}
