import { readCommits, scanCommits } from '../git/commits'
import { commitItems } from './plan'
import type { PlanProblem } from './plan'
import { pendingCommits } from './lines'
import type { CommitInfo, DaemonJob, HistoryLine, WorkItem } from './types'

/**
 * What the daemon knows of one line between ticks: its pending commits (ids only: a backlog of 50,000 commits is
 * 50,000 short strings) and the items of the commits planned so far. Planning goes in windows: commit details are
 * read only for the next commits to run, so memory stays flat however long the backlog.
 */
export interface LineWork {
  line: HistoryLine
  /** The settled commit the pending list starts after (`null`: a line not settled yet, started from lookback). */
  base: string | null
  /** Pending commits, oldest first. */
  shas: string[]
  /** Items of planned commits (an empty list: no job matches that commit). */
  items: Map<string, WorkItem[]>
}

export interface PlanWindowOptions {
  cwd: string
  jobs: readonly DaemonJob[]
  /** The settled commit of the line in the state. */
  base: string | null
  /** Tips of the lines known before (a line that is new brings only its own commits); `null` on a first start. */
  others: readonly string[] | null
  lookback: number
  /** Plan until this many planned commits still have unsettled items. */
  window: number
  isSettled: (item: WorkItem) => boolean
  onProblem: PlanProblem
}

/**
 * Bring `work` (or a new one) up to date with `line`, planning the next window of commits. The pending list is
 * kept across ticks: a tip that moved forward only appends its new commits, so a line whose first window is still
 * running (no settled commit in the state yet) keeps the commits it started from.
 */
export async function planLine(line: HistoryLine, work: LineWork | undefined, options: PlanWindowOptions): Promise<LineWork> {
  const pending = (base: string | null) => pendingCommits(options.cwd, line, { base, others: options.others, lookback: options.lookback })
  let fresh: CommitInfo[] = []
  if (!work || !sameBase(work, options.base)) {
    // New, or another daemon settled further: start from the state.
    const shas = await pending(options.base)
    work = { line, base: options.base, shas, items: new Map(shas.filter(sha => work?.items.has(sha)).map(sha => [sha, work!.items.get(sha)!])) }
  } else if (work.line.tip !== line.tip) {
    const added = await extension(options.cwd, work.line.tip, line.tip, options.window)
    if (added) {
      work.shas.push(...added.map(commit => commit.sha))
      fresh = added
    } else {
      // Rewritten (a reset, a rebase) or a jump too long to read at once: list the line again from its base.
      work.shas = await pending(work.base)
      const kept = new Set(work.shas)
      for (const sha of work.items.keys()) if (!kept.has(sha)) work.items.delete(sha)
    }
  }
  if (!samePlace(work.line, line)) {
    for (const [sha, items] of work.items) work.items.set(sha, items.map(item => ({ ...item, place: line.place })))
  }
  work.line = line
  let open = 0
  let next = 0
  for (; next < work.shas.length && work.items.has(work.shas[next]!); next++) {
    if (work.items.get(work.shas[next]!)!.some(item => !options.isSettled(item))) open++
  }
  // Commits read for the extension are planned from what was read; the rest are read in windows.
  const known = new Map(fresh.map(commit => [commit.sha, commit]))
  while (open < options.window && next < work.shas.length) {
    const chunk = work.shas.slice(next, next + Math.max(1, options.window - open))
    const commits = chunk.every(sha => known.has(sha)) ? chunk.map(sha => known.get(sha)!) : await readCommits(options.cwd, chunk)
    for (const commit of commits) {
      const items = commitItems(options.jobs, line, [commit], options.onProblem)
      work.items.set(commit.sha, items)
      if (items.length > 0) open++
    }
    next += chunk.length
  }
  return work
}

/**
 * Whether `planLine` would leave `work` as it is: nothing pending, the same tip, base and place. Most lines, most
 * ticks, with thousands of branches: the tick skips them without an await each.
 */
export function unmovedLine(line: HistoryLine, work: LineWork | undefined, base: string | null): work is LineWork {
  return work !== undefined && work.shas.length === 0 && work.line.tip === line.tip && sameBase(work, base) && samePlace(work.line, line)
}

/** A line is started over from `base` when one is set and differs from the one it was planned from. */
function sameBase(work: LineWork, base: string | null): boolean {
  return base === null || base === work.base
}

function samePlace(a: HistoryLine, b: HistoryLine): boolean {
  return a.place.id === b.place.id && a.place.root === b.place.root
}

/**
 * The commits a line's tip moved forward by, oldest first, read with their changes in one `git log` (the common
 * case: a commit or a push landed); `null` when the old tip is not on the new tip's first-parent line (history
 * was rewritten) or the jump is longer than `max` commits (read in windows instead).
 */
async function extension(cwd: string, from: string, to: string, max: number): Promise<CommitInfo[] | null> {
  const commits = await scanCommits(cwd, [to, `^${from}`], { firstParent: true, limit: max + 1 })
  if (commits.length === 0 || commits.length > max || commits.at(-1)!.parents[0] !== from) return null
  return commits.reverse()
}

/** The planned items of a line, oldest commit first. */
export function plannedItems(work: LineWork): WorkItem[] {
  const items: WorkItem[] = []
  for (const sha of work.shas) {
    const planned = work.items.get(sha)
    if (!planned) break
    items.push(...planned)
  }
  return items
}

/**
 * How many of the line's pending commits are settled, in order: a line's settled commit only moves past commits
 * whose every item is settled, so nothing behind an unsettled commit is skipped. Pure.
 */
export function settledPrefix(work: LineWork, isSettled: (item: WorkItem) => boolean): number {
  let count = 0
  for (const sha of work.shas) {
    const items = work.items.get(sha)
    if (!items || !items.every(isSettled)) break
    count++
  }
  return count
}

/** Drop the first `count` commits, now settled: the line starts after the last of them. */
export function advanceLine(work: LineWork, count: number): string[] {
  const gone = work.shas.slice(0, count)
  for (const sha of gone) work.items.delete(sha)
  work.shas = work.shas.slice(count)
  work.base = gone.at(-1) ?? work.base
  return gone
}
