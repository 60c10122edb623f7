import { readdir, readFile } from 'node:fs/promises'

type GroupListener = (pgid: number, running: boolean) => void
const groupListeners = new Set<GroupListener>()

/**
 * Be told of each process group `runProcess` starts in this thread (`running`), and when it is gone. A job worker
 * tells the daemon, which kills what is left of them if the worker dies with its run. Returns the unsubscribe.
 */
export function watchProcessGroups(listener: GroupListener): () => void {
  groupListeners.add(listener)
  return () => groupListeners.delete(listener)
}

/** `runProcess` started group `pgid` (`running`), or it is gone. */
export function announceProcessGroup(pgid: number, running: boolean): void {
  for (const listener of groupListeners) listener(pgid, running)
}

/** Time a process group gets to exit after SIGTERM before it is sent SIGKILL. */
export const KILL_GRACE_MS = 2000
const POLL_MS = 50

/**
 * Stop every process in group `pgid`: SIGTERM now, SIGKILL once the grace is over if a member still runs.
 * Resolves when the group is gone or has been sent SIGKILL; never rejects.
 */
export async function killProcessGroup(pgid: number, graceMs = KILL_GRACE_MS): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
    if (!(await groupRunning(pgid))) return
  }
  signalGroup(pgid, 'SIGKILL')
}

/** Send `signal` to the whole group; false when there is nobody left to signal. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    // ESRCH (group gone) or EPERM (only processes we may not signal are left): nothing more we can do.
    return false
  }
}

/**
 * Whether a member of the group still runs. Zombies don't count: an init that never reaps (common in
 * containers) keeps killed orphans around, and waiting on them would always cost the whole grace.
 */
async function groupRunning(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false
  const entries = await readdir('/proc').catch(() => undefined)
  if (!entries) return true
  const stats = await Promise.all(
    entries.filter(entry => /^\d+$/.test(entry)).map(pid => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')),
  )
  // Fields after "pid (comm) ": state, ppid, pgrp, ...
  const members = stats.map(stat => stat.slice(stat.lastIndexOf(')') + 2).split(' ')).filter(fields => fields[2] === String(pgid))
  // No member visible means /proc shows another PID namespace: trust kill(0) instead.
  if (members.length === 0) return true
  return members.some(([state]) => state !== 'Z' && state !== 'X')
}
