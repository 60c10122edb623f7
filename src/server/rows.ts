import type { IndexedRun, ReceiptIndex } from '../types/receipt'
import type { RunFilter, RunRow, RunsPage } from '../types/ui'
import { matchesRun, runBranch } from './filter'

export const ROWS_PER_PAGE = 50

/**
 * One page of the runs page: the runs passing `filter`, grouped into rows (a commit, or a tag, new branch or
 * schedule slot on it), newest run first. One pass over the index's runs, already sorted newest first.
 */
export function selectRows(index: ReceiptIndex, filter: RunFilter): RunsPage {
  const rows = new Map<string, RunRow>()
  const facets = { jobs: new Set<string>(), branches: new Set<string>(), worktrees: new Set<string>() }
  for (const run of index.runs) {
    facets.jobs.add(run.job)
    facets.worktrees.add(run.worktree)
    const branch = runBranch(run)
    if (branch) facets.branches.add(branch)
    const commit = index.commit(run.sha)
    if (!matchesRun(run, filter, commit?.subject)) continue
    const { kind, label } = rowOf(run)
    // A commit's runs share one row whatever their branch (a manual run has none); the others, one per label.
    const key = kind === 'commit' ? run.sha : `${run.sha}\0${kind}\0${label}`
    let row = rows.get(key)
    if (!row) {
      row = { sha: run.sha, kind, label, subject: commit?.subject ?? null, author: commit?.author.name ?? null, latest: run.startedAt, jobs: [] }
      rows.set(key, row)
    }
    row.label ??= label
    // Runs come newest first: the first one of a job is its newest attempt.
    const seen = row.jobs.find(entry => entry.run.job === run.job)
    if (seen) seen.attempts++
    else row.jobs.push({ run, attempts: 1 })
  }
  const all = [...rows.values()]
  for (const row of all) row.jobs.sort((a, b) => a.run.job.localeCompare(b.run.job))
  const sorted = (set: Set<string>) => [...set].sort()
  return {
    filter,
    rows: all.slice((filter.page - 1) * ROWS_PER_PAGE, filter.page * ROWS_PER_PAGE),
    total: all.length,
    pages: Math.max(1, Math.ceil(all.length / ROWS_PER_PAGE)),
    facets: { jobs: sorted(facets.jobs), branches: sorted(facets.branches), worktrees: sorted(facets.worktrees) },
  }
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
