import { git, runGit } from './command'
import { GitError } from './error'

/** A revision resolved to the commit it names. */
export interface ResolvedCommit {
  sha: string
  /** The branch `rev` names (`main`, or `HEAD` on a branch), else `null` (a sha, a tag, `HEAD~2`). */
  branch: string | null
  /** Committer time, in seconds. */
  commitTime: number
}

/** Resolve `rev` (sha, branch, tag, `HEAD~2`, ...) to one commit; anything else is a `GitError` saying what to pass. */
export async function resolveCommit(cwd: string, rev: string): Promise<ResolvedCommit> {
  const { stdout, exitCode } = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd, okCodes: [0, 1, 128] })
  if (exitCode !== 0 || rev === '') {
    throw new GitError(['rev-parse', rev], exitCode, '', cwd, `"${rev}" is not a commit of the repository in ${cwd}: pass a sha, branch or tag, e.g. HEAD~2`)
  }
  const sha = stdout.trim()
  const [time, name] = await Promise.all([
    git(['show', '-s', '--format=%ct', sha], { cwd }),
    runGit(['rev-parse', '--verify', '--quiet', '--symbolic-full-name', '--end-of-options', rev], { cwd, okCodes: [0, 1, 128] }),
  ])
  const ref = name.stdout.trim()
  return { sha, branch: ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null, commitTime: Number(time) }
}
