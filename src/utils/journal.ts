import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import { join } from 'pathe'
import { processExists } from './process'

/** This host, as a short tag: the same host is the only one whose processes GitVan can see are gone. */
export const HOST_TAG = createHash('sha1').update(hostname()).digest('hex').slice(0, 8)
/**
 * This process: host, pid, and its start time, which tells it from an earlier process that had the same pid (a
 * daemon that is pid 1 of its container on every start). The same in every copy of GitVan's modules in the process.
 */
const OWNER = `${HOST_TAG}-${process.pid}-${Math.round(performance.timeOrigin).toString(36)}`
const OWNER_NAME = /^([0-9a-f]{8})-(\d+)-([0-9a-z]+)$/

/** What a process that is gone left recorded. */
export interface Leftover {
  /** The pid of the process that recorded it. */
  pid: number
  value: string
}

/**
 * Record `value` (a temp file, a run's worktree) as in flight for this process, under `<dir>/<host>-<pid>-<start>/`,
 * one small file each: a later GitVan finds exactly what a killed one left, without walking any tree. Returns the
 * function that removes the record, once the thing is done with.
 */
export async function recordInFlight(dir: string, value: string): Promise<() => Promise<void>> {
  const file = join(dir, OWNER, randomBytes(6).toString('hex'))
  await mkdir(join(dir, OWNER), { recursive: true })
  await writeFile(file, value)
  return () => rm(file, { force: true })
}

/**
 * Hand what processes of this host that are gone recorded under `dir` to `clean`, which says whether it is done with
 * each (done: the record goes; not done: a later start sees it again). Another host's records are left alone (its
 * processes cannot be seen from here), and so are a live process's: a pid taken since by another process keeps
 * them, which errs on the safe side.
 */
export async function cleanLeftovers(dir: string, clean: (leftover: Leftover) => Promise<boolean>): Promise<void> {
  for (const owner of await readdir(dir).catch(() => [])) {
    const match = OWNER_NAME.exec(owner)
    if (!match || match[1] !== HOST_TAG || owner === OWNER) continue
    const pid = Number(match[2])
    if (pid !== process.pid && processExists(pid)) continue
    for (const record of await readdir(join(dir, owner)).catch(() => [])) {
      const value = await readFile(join(dir, owner, record), 'utf8').catch(() => undefined)
      if (value === undefined || await clean({ pid, value })) await rm(join(dir, owner, record), { force: true })
    }
    // Gone once every record is: what is left waits for the next start.
    await rmdir(join(dir, owner)).catch(() => {})
  }
}
