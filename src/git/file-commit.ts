import { mkdtempSync, rmSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'pathe'
import { fastImportData, importCommits } from './fast-import'
import { sharedSession } from './session'

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

/**
 * Write `contents` as blobs; returns their ids in order. No ref is touched. Through the `hash-object --stdin-paths`
 * shared by this process (a claim writes one small blob per tick: a process each would cost more than the rest of
 * the claim), fed through scratch files that are removed once git has read them.
 */
export async function writeBlobs(cwd: string, contents: string[]): Promise<string[]> {
  if (contents.length === 0) return []
  const dir = scratchDir()
  const paths = contents.map(() => join(dir, String(++scratchFiles)))
  try {
    await Promise.all(contents.map((content, i) => writeFile(paths[i]!, content)))
    return await sharedSession(cwd, HASH_OBJECT, false)!.ask(`${paths.join('\n')}\n`, paths.length)
  } finally {
    await Promise.all(paths.map(path => rm(path, { force: true })))
  }
}

const HASH_OBJECT = ['hash-object', '-w', '--no-filters', '--stdin-paths']
let scratch: string | undefined
let scratchFiles = 0

function scratchDir(): string {
  if (!scratch) {
    const dir = scratch = mkdtempSync(join(tmpdir(), 'gitvan-blobs-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  return scratch
}
