import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile, readdir, rm, rmdir } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { join } from 'pathe'
import { hostName } from './host'
import { processExists } from './process'

/** This host, as a short tag: the same host is the only one whose processes GitVan can see are gone. */
export const HOST_TAG = createHash('sha1').update(hostName()).digest('hex').slice(0, 8)

/**
 * When process `pid` started, in clock ticks since boot (Linux `/proc/<pid>/stat`), the same in each of its threads;
 * `undefined` when it is gone (or a zombie) or there is no `/proc`.
 */
export function processStart(pid: number): string | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ')
    return fields[0] === 'Z' ? undefined : fields[19]
  } catch {
    return undefined
  }
}

/**
 * This process: host, pid, and when it started, which tells it from another process that has or had the same pid
 * (a daemon that is pid 1 of its container on every start). Without `/proc`, the start is this thread's time origin.
 */
const OWNER = `${HOST_TAG}-${process.pid}-${processStart(process.pid) ?? `t${Math.round(performance.timeOrigin).toString(36)}`}`
const OWNER_NAME = /^([0-9a-f]{8})-(\d+)-(\d+|t[0-9a-z]+)$/

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
  // Synchronous: a record per run of a backlog, each a few bytes; six trips through libuv's thread pool per run
  // cost more than the writes. The folder is made when the write finds it missing.
  try {
    writeFileSync(file, value)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    mkdirSync(join(dir, OWNER), { recursive: true })
    writeFileSync(file, value)
  }
  return async () => rmSync(file, { force: true })
}

/** Whether the process that recorded as `pid` started at `start` still runs (a pid taken since by another is not it). */
function isAlive(pid: number, start: string): boolean {
  if (!start.startsWith('t')) return processStart(pid) === start
  // No start time to compare (no `/proc`): a pid that exists may be the same process, which errs on the safe side.
  return pid !== process.pid && processExists(pid)
}

/**
 * Hand what processes of this host that are gone recorded under `dir` to `clean`, which says whether it is done with
 * each (done: the record goes; not done: a later start sees it again). Another host's records are left alone (its
 * processes cannot be seen from here), and so are a live process's.
 */
export async function cleanLeftovers(dir: string, clean: (leftover: Leftover) => Promise<boolean>): Promise<void> {
  for (const owner of await readdir(dir).catch(() => [])) {
    const match = OWNER_NAME.exec(owner)
    if (!match || match[1] !== HOST_TAG || owner === OWNER) continue
    const pid = Number(match[2])
    if (isAlive(pid, match[3]!)) continue
    for (const record of await readdir(join(dir, owner)).catch(() => [])) {
      const value = await readFile(join(dir, owner, record), 'utf8').catch(() => undefined)
      if (value === undefined || await clean({ pid, value })) await rm(join(dir, owner, record), { force: true })
    }
    // Gone once every record is: what is left waits for the next start.
    await rmdir(join(dir, owner)).catch(() => {})
  }
}
