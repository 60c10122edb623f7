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

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}
