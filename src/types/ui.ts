import type { JobSummary } from '../jobs/registry'
import type { JobTrigger } from './job'
import type { IndexedRun, ReceiptStatus } from './receipt'

/** A failed pair to run again: its job and what it settles (`receiptKey`), found from a run the page shows. */
export interface RerunRequest {
  job: string
  /** The commit, `tag:<name>`, `branch:<name>` or `schedule:<slot>`. */
  key: string
  /** The commit whose note holds the pair's receipts. */
  note: string
  /** The commit its runs were for. */
  sha: string
}

/** How a re-run went: `ran` (a new receipt, with its status), or why nothing ran (`done`, `held`, ...). */
export interface RerunReply {
  outcome: string
  status?: ReceiptStatus
  message?: string
}

export interface UiServerOptions {
  /** The repository: a worktree, a bare repository or a mirror. */
  cwd: string
  /** The notes ref receipts are on (`receipts.ref`). */
  receiptsRef: string
  /** Interface to listen on (default `127.0.0.1`). Anything but loopback needs `accessToken`. */
  host?: string
  /** Port; `0` takes any free one. Unset: 7370, or any free port when it is taken. */
  port?: number
  /** The secret every request must carry (`GITVAN_UI_TOKEN`); required off loopback. */
  accessToken?: string
  /** The project's jobs, read again on each request (they change under `gitvan dev`); unset without a worktree. */
  jobs?: () => Promise<JobSummary[]>
  /** Run a failed pair again; unset when the page is read-only (a bare repository or a mirror). */
  rerun?: (request: RerunRequest) => Promise<RerunReply>
  /** Why re-runs are off, shown on the page (`bare repository: read-only`). */
  readOnly?: string
  /** How often the receipts ref is looked at besides file events (default 2000 ms). */
  pollInterval?: number
}

export interface UiServer {
  /** `http://127.0.0.1:7370/` */
  url: string
  close: () => Promise<void>
}

/** What the runs page is narrowed to: the URL's query, checked. */
export interface RunFilter {
  job?: string
  status?: ReceiptStatus | 'failed'
  branch?: string
  worktree?: string
  trigger?: JobTrigger['type']
  /** Runs started at or after this time (from `since=24h` or `since=2026-11-24`). */
  since?: { raw: string; time: string }
  /** Text searched in job ids, commit subjects, error lines, reasons, tags and shas. */
  q?: string
  /** 1-based. */
  page: number
}

/** One line of the runs page: a commit (or a tag, branch or schedule slot on it) and the jobs run for it. */
export interface RunRow {
  sha: string
  kind: 'commit' | 'tag' | 'branch' | 'schedule'
  /** The branch of a commit row, the tag, the new branch, or the slot. */
  label: string | null
  subject: string | null
  author: string | null
  /** Start of the newest run in the row. */
  latest: string
  /** The newest attempt of each job, by job id, with how many attempts there were. */
  jobs: { run: IndexedRun; attempts: number }[]
}

export interface RunsPage {
  filter: RunFilter
  rows: RunRow[]
  /** Rows matching the filter, all pages. */
  total: number
  pages: number
  /** What the filter menus offer. */
  facets: { jobs: string[]; branches: string[]; worktrees: string[] }
}

/** One row of the jobs page. */
export interface JobOverview {
  id: string
  /** `null` when the job is only known from receipts (no worktree, or the file is gone). */
  summary: JobSummary | null
  triggers: string
  /** The next slots of `meta.schedule`, ISO times. */
  next: string[]
  /** Newest first. */
  last: IndexedRun[]
  runs: number
  /** Successful runs among those that ended `ok`, `skipped`, `error` or `timeout`; `null` with none. */
  successRate: number | null
}
