import { git } from './run'

/** A fixed identity and date: these commits record data, not authorship, and must not need user config. */
const SIGNATURE = 'GitVan <gitvan@localhost> 0 +0000'
const SCRATCH_BRANCH = 'refs/gitvan/tmp/file-commit'

export interface FileCommit {
  /** File name inside the commit's tree, e.g. `state.json`. */
  file: string
  content: string
  message: string
}

/**
 * Write one root commit per entry, each tree holding one file, with a single `git fast-import`; returns
 * their ids in order. No ref is left behind: the caller publishes them with a compare-and-swap.
 */
export async function writeFileCommits(cwd: string, commits: FileCommit[]): Promise<string[]> {
  if (commits.length === 0) return []
  const stream = ['feature done\n']
  commits.forEach(({ file, content, message }, i) => {
    // Resetting first makes each commit a root commit; the last reset leaves no scratch ref behind.
    stream.push(`reset ${SCRATCH_BRANCH}\n`, `commit ${SCRATCH_BRANCH}\n`, `mark :${i + 1}\n`, `author ${SIGNATURE}\n`, `committer ${SIGNATURE}\n`)
    stream.push(data(`${message}\n`), `M 100644 inline ${file}\n`, data(content), '\n')
  })
  stream.push(`reset ${SCRATCH_BRANCH}\n`, ...commits.map((_, i) => `get-mark :${i + 1}\n`), 'done\n')
  return (await git(['fast-import', '--quiet'], { cwd, input: stream.join('') })).split('\n')
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`
}
