import { fastImport, fastImportData } from './fast-import'

/** A fixed identity and date: these commits record data, not authorship, and must not need user config. */
const SIGNATURE = 'GitVan <gitvan@localhost> 0 +0000'
const SCRATCH_BRANCH = 'refs/gitvan/tmp/file-commit'

export interface FileCommit {
  /** Path inside the commit's tree, e.g. `state.json` or `ab/abcdef.json`. */
  file: string
  content: string
  message: string
  /** Build on this commit: its tree plus the file. Without it, a root commit holding only the file. */
  parent?: string | null
}

/**
 * Write one commit per entry with a single `git fast-import`; returns their ids in order. No ref is left
 * behind: the caller publishes them with a compare-and-swap.
 */
export async function writeFileCommits(cwd: string, commits: FileCommit[]): Promise<string[]> {
  if (commits.length === 0) return []
  const stream: string[] = []
  commits.forEach(({ file, content, message, parent }, i) => {
    // Resetting first makes each commit start afresh (a root commit unless `from`); the last reset leaves no scratch ref behind.
    stream.push(`reset ${SCRATCH_BRANCH}\n`, `commit ${SCRATCH_BRANCH}\n`, `mark :${i + 1}\n`, `author ${SIGNATURE}\n`, `committer ${SIGNATURE}\n`)
    stream.push(fastImportData(`${message}\n`), ...(parent ? [`from ${parent}\n`] : []), `M 100644 inline ${file}\n`, fastImportData(content), '\n')
  })
  stream.push(`reset ${SCRATCH_BRANCH}\n`, ...commits.map((_, i) => `get-mark :${i + 1}\n`))
  return (await fastImport(cwd, stream)).split('\n')
}

/**
 * Root commits with an empty tree, whose ids depend only on `message` and `time` (seconds): the same anchor on every
 * machine, for notes about something that is not a commit (a schedule slot) to be attached to. Returns their ids.
 */
export async function writeAnchorCommits(cwd: string, anchors: { message: string; time: number }[]): Promise<string[]> {
  if (anchors.length === 0) return []
  const stream: string[] = []
  anchors.forEach(({ message, time }, i) => {
    const who = `GitVan <gitvan@localhost> ${Math.floor(time)} +0000`
    stream.push(`reset ${SCRATCH_BRANCH}\n`, `commit ${SCRATCH_BRANCH}\n`, `mark :${i + 1}\n`, `author ${who}\n`, `committer ${who}\n`, fastImportData(`${message}\n`), '\n')
  })
  stream.push(`reset ${SCRATCH_BRANCH}\n`, ...anchors.map((_, i) => `get-mark :${i + 1}\n`))
  return (await fastImport(cwd, stream)).split('\n')
}
