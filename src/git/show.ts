import { runGit } from './run'

/** Contents of `path` at `rev` (e.g. `HEAD`, a sha, a tag), or `null` when the path does not exist there. */
export async function readFileAt(cwd: string, rev: string, path: string): Promise<string | null> {
  if (rev.includes(':') || rev.startsWith('-')) throw new Error(`Invalid revision ${JSON.stringify(rev)}: pass a ref or sha, without ":" or a leading "-"`)
  const { stdout, exitCode } = await runGit(['cat-file', '-e', `${rev}:${path}`], { cwd, okCodes: [0, 1, 128] })
  if (exitCode !== 0) return null
  return (await runGit(['cat-file', 'blob', `${rev}:${path}`], { cwd })).stdout || stdout
}
