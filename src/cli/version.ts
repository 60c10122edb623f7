import { gitvanPackage } from '../utils/self'

/** `gitvan --version` (or `-v`) alone: answered before anything else of the CLI loads. */
export function printVersionIfAsked(rawArgs: string[]): boolean {
  if (rawArgs.length !== 1 || !['--version', '-v'].includes(rawArgs[0]!)) return false
  console.log(gitvanPackage().version)
  return true
}
