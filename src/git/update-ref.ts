import type { GitResult } from '../types/git'
import { runGit } from './command'
import { GitError } from './error'
import { sharedSession } from './session'

/** The `update-ref` command line: another writer's ref lock is waited for `lockTimeout` ms (git's default: 100). */
export function updateRefArgs(lockTimeout: number): string[] {
  return ['-c', `core.filesRefLockTimeout=${lockTimeout}`, '-c', 'core.packedRefsTimeout=1000', 'update-ref', '--stdin', '-z']
}

/**
 * Apply `commands` (`update-ref --stdin -z` commands) as one transaction: exit code 0, or 128 with git's refusal
 * on stderr (an expectation that did not hold, a lock held by another); any other failure throws a `GitError`.
 * Runs in the long-lived `update-ref` shared by this process when it is free (git takes one transaction after
 * another there, and exits on a refusal), else in a process of its own: a transaction never waits behind another.
 */
export async function runRefUpdate(cwd: string, commands: string, lockTimeout: number): Promise<Pick<GitResult, 'exitCode' | 'stderr'>> {
  const args = updateRefArgs(lockTimeout)
  const input = `start\0${commands}prepare\0commit\0`
  const session = sharedSession(cwd, args, true)
  if (!session) return runGit(args, { cwd, input, okCodes: [0, 128] })
  try {
    const answers = await session.ask(input, 3)
    if (answers.join('\n') !== 'start: ok\nprepare: ok\ncommit: ok') {
      throw new GitError(args, null, answers.join('\n'), cwd, `Unexpected answer from git update-ref in ${cwd}: ${JSON.stringify(answers)}`)
    }
    return { exitCode: 0, stderr: '' }
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 128) return { exitCode: 128, stderr: error.stderr }
    throw error
  }
}
