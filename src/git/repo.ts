import { basename, resolve } from 'pathe'
import type { GitDirInfo, RepoInfo } from '../types/git'
import { GitError } from './error'
import { runGit } from './command'

/**
 * Facts about the repository and worktree containing `cwd`, in one git process (two on an unborn branch, whose
 * name only `symbolic-ref` tells). Not a repository, or a bare one: a `GitError` with a one-line message saying
 * what to do.
 */
export async function resolveRepo(cwd: string): Promise<RepoInfo> {
  // `--abbrev-ref=loose` shortens as `symbolic-ref --short` does (`readBranch`), and prints `HEAD` when detached;
  // the final `--` makes HEAD a revision only, never a file of that name.
  const args = ['rev-parse', '--is-bare-repository', '--absolute-git-dir', '--git-common-dir', '--show-toplevel', 'HEAD^{commit}', '--abbrev-ref=loose', 'HEAD', '--']
  const { stdout, stderr, exitCode } = await runGit(args, { cwd, okCodes: [0, 128] })
  const [bare, gitDir, commonDir, root, head, branch] = stdout.split('\n')
  if (!root) {
    // --show-toplevel fails in a bare repository and in a git dir; the first lines still tell which.
    const reason = bare === 'true'
      ? `${cwd} is a bare repository: GitVan needs a worktree, run it in a clone with a checkout`
      : gitDir
        ? `${cwd} is inside a git dir, not a worktree: run GitVan from the worktree's top level`
        : `${cwd} is not inside a git repository: run \`git init\` there, or run GitVan from a repository`
    throw new GitError(args, exitCode, stderr, cwd, reason)
  }
  const absoluteCommon = resolve(cwd, commonDir!)
  // Exit 128 past the top level: HEAD names no commit (an unborn branch), and rev-parse stopped there.
  const born = exitCode === 0
  return {
    root: resolve(root),
    gitDir: resolve(gitDir!),
    commonDir: absoluteCommon,
    head: born ? head! : null,
    branch: born ? (branch === 'HEAD' ? null : branch!) : await readBranch(root),
    worktreeId: worktreeIdOf(gitDir!, absoluteCommon),
  }
}

/**
 * Where the git data of the repository containing `cwd` is, for tools that only read it: unlike `resolveRepo`,
 * a bare repository or a mirror is accepted (`root` is then `null`). Not a repository: a one-line `GitError`.
 */
export async function resolveGitDir(cwd: string): Promise<GitDirInfo> {
  const args = ['rev-parse', '--is-bare-repository', '--absolute-git-dir', '--git-common-dir']
  const { stdout, stderr, exitCode } = await runGit(args, { cwd, okCodes: [0, 128] })
  const [bare, gitDir, commonDir] = stdout.split('\n')
  if (exitCode !== 0 || !commonDir) {
    throw new GitError(args, exitCode, stderr, cwd, `${cwd} is not inside a git repository: pass --cwd with a clone, a bare repository or a mirror`)
  }
  if (bare === 'true') return { gitDir: resolve(gitDir!), commonDir: resolve(cwd, commonDir), root: null, bare: true }
  const { stdout: top, exitCode: topCode } = await runGit(['rev-parse', '--show-toplevel'], { cwd, okCodes: [0, 128] })
  if (topCode !== 0) throw new GitError(args, topCode, stderr, cwd, `${cwd} is inside a git dir, not a worktree: run GitVan from the worktree's top level or from the bare repository`)
  return { gitDir: resolve(gitDir!), commonDir: resolve(cwd, commonDir), root: resolve(top.trim()), bare: false }
}

/** `main` for the main worktree, else the directory name under `<common>/worktrees/`. */
export function worktreeIdOf(gitDir: string, commonDir: string): string {
  return resolve(gitDir) === resolve(commonDir) ? 'main' : basename(gitDir)
}

/** HEAD's commit, or `null` on an unborn branch. */
export async function readHead(cwd: string): Promise<string | null> {
  const { stdout, exitCode } = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd, okCodes: [0, 1] })
  return exitCode === 0 ? stdout.trim() : null
}

/** Short name of the checked-out branch, `null` when detached. */
export async function readBranch(cwd: string): Promise<string | null> {
  const { stdout, exitCode } = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd, okCodes: [0, 1] })
  return exitCode === 0 ? stdout.trim() : null
}
