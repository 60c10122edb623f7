import { realpath, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'pathe'
import { listWorktrees } from '../git/worktrees'
import type { RepoInfo, WorktreeEntry } from '../types/git'
import { errorLine } from '../utils/messages'
import { cleanLeftovers, recordInFlight } from '../utils/journal'
import { isWithin } from '../utils/paths'
import { type ProcessView, listProcesses } from '../utils/process'

/** What a run in flight records: the worktree its job's commands run in, and when it started. */
interface RunRecord {
  worktree: string
  startedAt: number
}

/** File times and `Date.now()` may differ by the file system's time granularity. */
const CLOCK_SLACK_MS = 1000

function runsJournal(repo: RepoInfo): string {
  return join(repo.commonDir, 'gitvan/runs')
}

/** Record a run in `worktree` while it goes on; returns the function that removes the record when it ends. */
export function recordRun(repo: RepoInfo, worktree: string): Promise<() => Promise<void>> {
  return recordInFlight(runsJournal(repo), JSON.stringify({ worktree, startedAt: Date.now() } satisfies RunRecord))
}

/**
 * Remove the `index.lock` files that git commands of GitVan runs left when their process was killed (a daemon killed
 * inside a job's `git commit`). Only in a worktree of this repository where a run of a GitVan process of this host
 * that is gone was recorded, only a lock made since that run started, and only when no process may still own it:
 * none has it open, and no `git` works in that worktree (git closes the lock while a commit's hooks run). Returns
 * one line per lock, for the daemon to say; a lock left alone is looked at again on the next start.
 */
export async function cleanupIndexLocks(repo: RepoInfo): Promise<string[]> {
  const said: string[] = []
  let worktrees: Promise<WorktreeEntry[]> | undefined
  await cleanLeftovers(runsJournal(repo), async ({ pid, value }) => {
    const run = parseRecord(value)
    if (!run) return true
    try {
      const worktree = (await (worktrees ??= listWorktrees(repo.root))).find(entry => resolve(entry.path) === resolve(run.worktree))
      if (!worktree || worktree.bare) return true
      const gitDir = worktree.id === 'main' ? repo.commonDir : join(repo.commonDir, 'worktrees', worktree.id)
      const lock = join(gitDir, 'index.lock')
      // A lock older than the run is not the run's: whoever made it deals with it.
      const made = await stat(lock).then(stats => stats.mtimeMs, () => undefined)
      if (made === undefined || made < run.startedAt - CLOCK_SLACK_MS) return true
      const owners = await possibleOwners(lock, [worktree.path, gitDir])
      if (owners === undefined) {
        said.push(`${lock} may be left by a git command of GitVan process ${pid}, which is gone; this system cannot tell whether a git command still runs there: remove it if none does`)
        return true
      }
      if (owners.length > 0) {
        said.push(`left ${lock} alone, though GitVan process ${pid} that ran there is gone: ${owners.map(owner => `${owner.name} (pid ${owner.pid})`).join(', ')} may still use it`)
        return false
      }
      await rm(lock, { force: true })
      said.push(`removed ${lock}, left by a git command of GitVan process ${pid}, which was killed`)
      return true
    } catch (error) {
      said.push(`could not check ${run.worktree} for an index.lock left by GitVan process ${pid}, which is gone: ${errorLine(error)}`)
      return false
    }
  })
  return said
}

/** The processes that have `lock` open or are git commands working in one of `dirs`; `undefined` when unknowable. */
async function possibleOwners(lock: string, dirs: string[]): Promise<ProcessView[] | undefined> {
  const processes = await listProcesses()
  if (!processes) return undefined
  const [file, ...places] = await Promise.all([lock, ...dirs].map(path => realpath(path).catch(() => path)))
  return processes.filter(view => view.files.includes(file!) || (view.name === 'git' && view.cwd !== undefined && places.some(place => isWithin(place, view.cwd!))))
}

function parseRecord(value: string): RunRecord | undefined {
  try {
    const record = JSON.parse(value) as RunRecord
    return typeof record.worktree === 'string' && typeof record.startedAt === 'number' ? record : undefined
  } catch {
    return undefined
  }
}
