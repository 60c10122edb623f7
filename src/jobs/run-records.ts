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

/** How long the record of a worktree's runs outlives its last run: the next run of a backlog reuses it. */
const LINGER_MS = 250

interface WorktreeRecord {
  written: Promise<() => Promise<void>>
  runs: number
  timer?: NodeJS.Timeout
  /** Removes the record (synchronously, though it returns a promise): set once it is written. */
  remove?: () => Promise<void>
}

/** The records of this process, by journal and worktree: one while runs there follow each other. */
const records = new Map<string, WorktreeRecord>()

// A process that ends within the linger leaves no record behind (a thread that is terminated may).
process.once('exit', () => {
  for (const record of records.values()) void record.remove?.()
})

/**
 * Record runs in `worktree` while they go on; returns the function to call when this one ends. One record covers
 * the runs that follow each other in a worktree (its start is the first one's): creating and removing a file per
 * run is most of what a trivial run costs in a backlog.
 */
export async function recordRun(repo: RepoInfo, worktree: string): Promise<() => Promise<void>> {
  const journal = runsJournal(repo)
  const key = `${journal}\0${worktree}`
  let record = records.get(key)
  if (!record) {
    record = { written: recordInFlight(journal, JSON.stringify({ worktree, startedAt: Date.now() } satisfies RunRecord)), runs: 0 }
    records.set(key, record)
    const created = record
    // A record that could not be written is not kept: the next run tries again.
    record.written.then(remove => (created.remove = remove), () => records.delete(key))
  }
  const held = record
  clearTimeout(held.timer)
  held.runs++
  await held.written
  return async () => {
    if (--held.runs > 0) return
    held.timer = setTimeout(() => {
      if (held.runs > 0) return
      records.delete(key)
      void held.written.then(remove => remove()).catch(() => {})
    }, LINGER_MS)
    held.timer.unref()
  }
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
