import { defineCommand, runCommand, showUsage } from 'citty'
import type { ArgsDef, CommandDef } from 'citty'
import { errorLine } from '../utils/messages'
import { gitvanPackage } from '../utils/self'
import { printVersionIfAsked } from './version'

type LazyCommand = () => Promise<CommandDef<any>>

/** Every command, by name; each loads on demand so `gitvan --version` stays cheap. */
export const commands: Record<string, LazyCommand> = {
  info: () => import('./commands/info').then(m => m.default),
  list: () => import('./commands/list').then(m => m.default),
  run: () => import('./commands/run').then(m => m.default),
  rerun: () => import('./commands/rerun').then(m => m.default),
  prepare: () => import('./commands/prepare').then(m => m.default),
  init: () => import('./commands/init').then(m => m.default),
  daemon: () => import('./commands/daemon').then(m => m.default),
  dev: () => import('./commands/dev').then(m => m.default),
  log: () => import('./commands/log').then(m => m.default),
  show: () => import('./commands/show').then(m => m.default),
  prune: () => import('./commands/prune').then(m => m.default),
  locks: () => import('./commands/locks').then(m => m.default),
  status: () => import('./commands/status').then(m => m.default),
  worktree: () => import('./commands/worktree').then(m => m.default),
  ui: () => import('./commands/ui').then(m => m.default),
}

export const main = defineCommand({
  meta: {
    name: 'gitvan',
    version: gitvanPackage().version,
    description: 'Git-native automation: jobs as files, receipts in Git notes, locks as Git refs',
  },
  subCommands: commands,
})

/** Run the CLI: one-line errors, exit code 1 on failure (`DEBUG=gitvan` prints stacks). */
export async function runGitVanCli(rawArgs: string[] = process.argv.slice(2)): Promise<void> {
  if (printVersionIfAsked(rawArgs)) return
  if (rawArgs.length === 0 || rawArgs.some(arg => arg === '--help' || arg === '-h')) {
    const [command, parent] = await resolveForUsage(rawArgs)
    await showUsage(command, parent)
    process.exitCode = rawArgs.length === 0 ? 1 : 0
    return
  }
  try {
    await runCommand(main, { rawArgs })
  } catch (error) {
    reportError(error, rawArgs)
    process.exitCode = 1
  }
}

async function resolveForUsage(rawArgs: string[]): Promise<[CommandDef<ArgsDef>, CommandDef<ArgsDef> | undefined]> {
  const name = rawArgs.find(arg => !arg.startsWith('-'))
  const load = name ? commands[name] : undefined
  return load ? [await load(), main] : [main, undefined]
}

function reportError(error: unknown, rawArgs: string[]): void {
  const err = error instanceof Error ? error : new Error(String(error))
  if ((err as { code?: string }).code === 'E_UNKNOWN_COMMAND') {
    console.error(`gitvan: ${err.message.replace(/\u001B\[\d+m/g, '')}; run \`gitvan --help\` for the list of commands (got \`${rawArgs.join(' ')}\`)`)
    return
  }
  const missing = (err as { code?: string }).code === 'EARG' && /positional argument: (\w+)/.exec(err.message)
  if (missing) {
    const command = rawArgs.find(arg => !arg.startsWith('-'))
    console.error(`gitvan: \`gitvan ${command}\` needs <${missing[1]!.toLowerCase()}> (run \`gitvan ${command} --help\`)`)
    return
  }
  console.error(`gitvan: ${errorLine(err)}`)
  if (process.env.DEBUG?.includes('gitvan')) console.error(err.stack)
}
