import type { DaemonCore } from './types'

/**
 * Planned (job, commit) pairs per line that may still be unsettled: how far ahead of the settled commit planning
 * goes, in commits of `WINDOW / jobs`. Memory follows it (a few KB per planned pair); so does the number of
 * claims and notes commits a backlog takes (fewer, larger ones for a larger window).
 */
const WINDOW = 4096
/** Milliseconds between progress reports of a backlog. */
const PROGRESS_INTERVAL = 3000

/** Commits of each line planned ahead of its settled commit. */
export function windowCommits(core: DaemonCore): number {
  return Math.max(64, Math.floor(WINDOW / Math.max(1, core.jobs.jobs.length)))
}

/** Every few seconds of a backlog: how far it got, how fast, how long to go. */
export function reportProgress(core: DaemonCore): void {
  const now = Date.now()
  const { settledCommits, lastProgress } = core
  const pending = Object.values(pendingByWorktree(core)).reduce((sum, count) => sum + count, 0)
  if (now - lastProgress.at < PROGRESS_INTERVAL || (pending === 0 && settledCommits === lastProgress.done)) return
  const perSecond = (settledCommits - lastProgress.done) / ((now - lastProgress.at) / 1000)
  core.lastProgress = { at: now, done: settledCommits }
  if (pending < windowCommits(core) / 10 && perSecond === 0) return
  core.options.report({ type: 'progress', done: settledCommits, pending, perSecond: Math.round(perSecond), secondsLeft: perSecond > 0 ? Math.ceil(pending / perSecond) : null })
}

/** Pending commits per worktree: what each line still has to settle. */
export function pendingByWorktree(core: DaemonCore): Record<string, number> {
  const pending: Record<string, number> = {}
  for (const work of core.lines.values()) pending[work.line.place.id] = (pending[work.line.place.id] ?? 0) + work.shas.length
  return pending
}
