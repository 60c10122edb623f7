import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'pathe'
import { HOST_TAG, cleanLeftovers, recordInFlight } from './journal'
import { errorLine } from './messages'

/**
 * A small file's text, or `undefined` when it cannot be read (missing). Read synchronously: for the many small files
 * a command reads (sources, cache entries), going through the thread pool costs ten times more.
 */
export function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** GitVan's temp files, next to their target: `<file>.gitvan-<pid>-<host>-<random>.tmp`, owner in the name. */
const TEMP_FILE = /\.gitvan-(\d+)-([0-9a-f]{8})-[0-9a-f]{12}\.tmp$/

/** Where temp files in flight are recorded, under a repository's common git dir. */
export function tempFilesJournal(commonDir: string): string {
  return join(commonDir, 'gitvan/tmp')
}

/**
 * Write through a temp file in the same directory and rename, so readers never see half a file. With `journal`
 * (`tempFilesJournal(commonDir)`), the temp file is recorded there while it exists: a process killed mid-write (a
 * large file, kill -9) leaves it, and the next daemon start removes it (`cleanupTempFiles`).
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, journal?: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temp = `${path}.gitvan-${process.pid}-${HOST_TAG}-${randomBytes(6).toString('hex')}.tmp`
  const release = journal ? await recordInFlight(journal, temp) : undefined
  try {
    await writeFile(temp, content)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  } finally {
    await release?.()
  }
}

/**
 * Remove the temp files that GitVan processes of this host recorded and did not finish before they died. Only
 * files named as GitVan names them, by that process, are removed. Returns one line per file, for the daemon to say.
 */
export async function cleanupTempFiles(commonDir: string): Promise<string[]> {
  const said: string[] = []
  await cleanLeftovers(tempFilesJournal(commonDir), async ({ pid, value: temp }) => {
    const owner = TEMP_FILE.exec(basename(temp))
    if (!isAbsolute(temp) || !owner || Number(owner[1]) !== pid || owner[2] !== HOST_TAG) return true
    try {
      await rm(temp)
      said.push(`removed temp file ${temp}, left by GitVan process ${pid} that is gone`)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true
      said.push(`could not remove temp file ${temp}, left by GitVan process ${pid} that is gone (${errorLine(error)}): remove it by hand`)
      return false
    }
    return true
  })
  return said
}
