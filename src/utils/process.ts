import { readFile, readdir, readlink } from 'node:fs/promises'

/** Whether a process with this pid exists (on this host): signal 0 probes without sending anything. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A process as `/proc` shows it. */
export interface ProcessView {
  pid: number
  /** Its command name (`comm`): `git`, `sh`, ... */
  name: string
  /** Its working directory, when this user may read it. */
  cwd?: string
  /** The files it has open, when this user may read them. */
  files: string[]
}

/**
 * Every process this user can see, with its name, working directory and open files (Linux, from `/proc`), or
 * `undefined` where that cannot be known (no `/proc`). Costly on a busy host: for the rare check that nobody uses
 * a file before it is removed.
 */
export async function listProcesses(): Promise<ProcessView[] | undefined> {
  const entries = await readdir('/proc').catch(() => undefined)
  if (!entries) return undefined
  const views = await Promise.all(entries.filter(name => /^\d+$/.test(name)).map(async (pid): Promise<ProcessView | undefined> => {
    const name = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined)
    if (name === undefined) return undefined
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
    const files = await Promise.all(fds.map(fd => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined)
    return { pid: Number(pid), name: name.trim(), ...(cwd ? { cwd } : {}), files: files.filter(Boolean) }
  }))
  return views.filter(view => view !== undefined)
}
