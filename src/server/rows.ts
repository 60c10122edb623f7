import type { IndexedRun, ReceiptIndex } from '../types/receipt'
import type { RunFilter, RunRow, RunsPage } from '../types/ui'
import { matchesRun, runBranch } from './filter'

export const ROWS_PER_PAGE = 50

/**
 * One page of the runs page: the runs passing `filter`, grouped into rows (a commit, or a tag, new branch or
 * schedule slot on it), newest run first. One pass over the index's runs, already sorted newest first: a row's
 * place is known when its first (newest) run comes by, so only the rows of the page asked for are built.
 */
export function selectRows(index: ReceiptIndex, filter: RunFilter): RunsPage {
  const first = (filter.page - 1) * ROWS_PER_PAGE
  const places = new Map<string, number>()
  const rows = new Map<string, RunRow>()
  for (const run of index.runs) {
    const commit = index.commit(run.sha)
    if (!matchesRun(run, filter, commit?.subject)) continue
    const { kind, label } = rowOf(run)
    // A commit's runs share one row whatever their branch (a manual run has none); the others, one per label.
    const key = kind === 'commit' ? run.sha : `${run.sha}\0${kind}\0${label}`
    let place = places.get(key)
    if (place === undefined) {
      place = places.size
      places.set(key, place)
      if (place >= first && place < first + ROWS_PER_PAGE) rows.set(key, { sha: run.sha, kind, label, subject: commit?.subject ?? null, author: commit?.author.name ?? null, latest: run.startedAt, jobs: [] })
    }
    const row = rows.get(key)
    if (!row) continue
    row.label ??= label
    // Runs come newest first: the first one of a job is its newest attempt.
    const seen = row.jobs.find(entry => entry.run.job === run.job)
    if (seen) seen.attempts++
    else row.jobs.push({ run, attempts: 1 })
  }
  for (const row of rows.values()) row.jobs.sort((a, b) => a.run.job.localeCompare(b.run.job))
  return {
    filter,
    rows: [...rows.values()],
    total: places.size,
    pages: Math.max(1, Math.ceil(places.size / ROWS_PER_PAGE)),
    facets: facetsOf(index.runs),
  }
}

const facetsCache = new WeakMap<readonly IndexedRun[], RunsPage['facets']>()

/** What the filter menus offer, worked out once per version of the index (its runs array changes with it). */
function facetsOf(runs: readonly IndexedRun[]): RunsPage['facets'] {
  let facets = facetsCache.get(runs)
  if (!facets) {
    const jobs = new Set<string>()
    const branches = new Set<string>()
    const worktrees = new Set<string>()
    for (const run of runs) {
      jobs.add(run.job)
      worktrees.add(run.worktree)
      const branch = runBranch(run)
      if (branch) branches.add(branch)
    }
    facets = { jobs: [...jobs].sort(), branches: [...branches].sort(), worktrees: [...worktrees].sort() }
    facetsCache.set(runs, facets)
  }
  return facets
}

/** The row a run belongs to: its commit for commit, manual and nested runs; else its tag, branch or slot. */
function rowOf(run: IndexedRun): Pick<RunRow, 'kind' | 'label'> {
  switch (run.trigger?.type) {
    case 'tag': {
      return { kind: 'tag', label: run.trigger.tag }
    }
    case 'branch': {
      return { kind: 'branch', label: run.trigger.branch }
    }
    case 'schedule': {
      return { kind: 'schedule', label: run.trigger.slot }
    }
    case 'commit': {
      return { kind: 'commit', label: run.trigger.branch }
    }
    default: {
      return { kind: 'commit', label: null }
    }
  }
}
