import { firstLine } from '../utils/messages'

/** A git command that failed: what ran, how it exited, what git said. */
export class GitError extends Error {
  override name = 'GitError'
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly cwd: string,
    message?: string,
  ) {
    super(message ?? `git ${args.join(' ')} failed (exit ${exitCode ?? 'signal'}) in ${cwd}: ${firstLine(stderr) || 'no output'}`)
  }
}

/**
 * A failure the git layer detects itself (a bad argument, a lost race) before or instead of a git process:
 * still a `GitError`, so callers catch one class for everything that goes wrong around git.
 */
export function gitLayerError(cwd: string, message: string): GitError {
  return new GitError([], null, '', cwd, message)
}
