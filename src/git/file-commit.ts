import { fastImport, fastImportData, importCommits } from './fast-import'

/** A fixed identity and date: these commits record data, not authorship, and must not need user config. */
const SIGNATURE = 'GitVan <gitvan@localhost> 0 +0000'

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
export function writeFileCommits(cwd: string, commits: FileCommit[]): Promise<string[]> {
  return importCommits(cwd, commits.map(({ file, content, message, parent }) => ({
    parent: parent ?? null,
    message,
    changes: [`M 100644 inline ${file}\n`, fastImportData(content)],
    signature: SIGNATURE,
  })))
}

/**
 * Root commits with an empty tree, whose ids depend only on `message` and `time` (seconds): the same anchor on every
 * machine, for notes about something that is not a commit (a schedule slot) to be attached to. Returns their ids.
 */
export function writeAnchorCommits(cwd: string, anchors: { message: string; time: number }[]): Promise<string[]> {
  return importCommits(cwd, anchors.map(({ message, time }) => ({
    parent: null,
    message,
    changes: [],
    signature: `GitVan <gitvan@localhost> ${Math.floor(time)} +0000`,
  })))
}

/** Write `contents` as blobs with one `git fast-import`; returns their ids in order. No ref is touched. */
export async function writeBlobs(cwd: string, contents: string[]): Promise<string[]> {
  if (contents.length === 0) return []
  const stream = contents.flatMap((content, i) => ['blob\n', `mark :${i + 1}\n`, fastImportData(content)])
  stream.push(...contents.map((_, i) => `get-mark :${i + 1}\n`))
  return (await fastImport(cwd, stream)).split('\n')
}
