import { git } from './command'

/**
 * Feed `commands` to one `git fast-import --quiet` and return what it printed (the answers to `get-mark`).
 * GitVan's writers build commits this way: any number of objects for two processes, and no ref is moved unless
 * the stream says so.
 */
function fastImport(cwd: string, commands: string[]): Promise<string> {
  return git(['fast-import', '--quiet'], { cwd, input: ['feature done\n', ...commands, 'done\n'].join('') })
}

/** A fast-import `data` command carrying `text` (exact byte count, so any content is safe). */
export function fastImportData(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`
}

export interface ImportedCommit {
  /** Build on this commit's tree (and make it the parent); `null`: a root commit. */
  parent: string | null
  message: string
  /** File commands applied to the parent's tree: `M <mode> inline <path>` + data, `M 040000 <tree> <path>`, `N ...`. */
  changes: string[]
  /** `Name <email> <seconds> <zone>` for author and committer (default: GitVan, now). */
  signature?: string
}

// fast-import needs a branch to commit on; resetting it before each commit and at the end leaves no ref behind.
const SCRATCH_BRANCH = 'refs/gitvan/tmp/import'

/**
 * Write `commits` with one `git fast-import` and return their ids in order. Nothing is published: the caller moves
 * refs with a compare-and-swap (or a `refTransaction` expecting each `parent`).
 */
export async function importCommits(cwd: string, commits: ImportedCommit[]): Promise<string[]> {
  if (commits.length === 0) return []
  const now = `GitVan <gitvan@localhost> ${Math.floor(Date.now() / 1000)} +0000`
  const stream: string[] = []
  commits.forEach(({ parent, message, changes, signature = now }, i) => {
    stream.push(`reset ${SCRATCH_BRANCH}\n`, `commit ${SCRATCH_BRANCH}\n`, `mark :${i + 1}\n`, `author ${signature}\n`, `committer ${signature}\n`)
    stream.push(fastImportData(message.endsWith('\n') ? message : `${message}\n`), ...(parent ? [`from ${parent}\n`] : []), ...changes, '\n')
  })
  stream.push(`reset ${SCRATCH_BRANCH}\n`, ...commits.map((_, i) => `get-mark :${i + 1}\n`))
  return (await fastImport(cwd, stream)).split('\n')
}
