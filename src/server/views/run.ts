import type { CommitSummary } from '../../types/git'
import type { RunLogRead } from '../../types/log'
import type { IndexedRun } from '../../types/receipt'
import { attemptKey, receiptKey } from '../../receipts/receipt'
import { duration, runHref, shortSha, statusChip, time, triggerLabel } from './format'
import { html } from './html'
import { logSection } from './log'
import type { SafeHtml } from './html'
import type { Page } from './layout'

export interface RunPageData {
  /** The commit whose note holds the runs (a schedule slot's anchor for schedule runs). */
  note: string
  job: string
  /** The job's runs in that note, in the order they were appended. */
  runs: readonly IndexedRun[]
  selected: IndexedRun
  /** The commit the selected run was for. */
  commit: CommitSummary | null
  /** The selected run's log. */
  log: RunLogRead
  /** Whether the page may offer a re-run (a worktree and a re-run path). */
  rerun: boolean
}

/** A run: its receipt, its commit, its log by step, and every attempt of its pair listed together. */
export function runPage(data: RunPageData): Page {
  return { title: `${data.job} on ${shortSha(data.selected.sha)}`, nav: 'runs', live: body(data) }
}

function body({ note, job, runs, selected, commit, log, rerun }: RunPageData): SafeHtml {
  const { sha } = selected
  // The job's pairs (what a run settles) in this note, each with its attempts oldest first.
  const pairs = new Map<string, IndexedRun[]>()
  for (const run of runs) pairs.set(attemptKey(run), [...(pairs.get(attemptKey(run)) ?? []), run])
  const newest = pairs.get(attemptKey(selected))!.at(-1)!
  const failed = receiptKey(selected) !== null && (newest.status === 'error' || newest.status === 'timeout')
  return html`<article class="run" data-note="${note}" data-job="${job}">
<h1>${statusChip(selected.status)} ${job}</h1>
<p class="commit">${commit ? html`<strong>${commit.subject}</strong> · ${commit.author.name} &lt;${commit.author.email}&gt; · ` : html`<em>commit not in this repository</em> · `}<a href="/?q=${sha}" title="Every run on this commit"><code>${sha}</code></a></p>
${rerun && failed && html`<p class="actions"><button type="button" data-rerun data-note="${note}" data-job="${job}" data-n="${newest.position}">Re-run ${job}</button> <span class="action-state" role="status"></span></p>`}
<section class="attempts">
<h2>Attempts</h2>
${[...pairs.values()].map(attempts => html`<div class="pair"><h3>${triggerLabel(attempts[0]!.trigger)}</h3><ol>${attempts.map(run => html`<li${run === selected ? html` aria-current="true"` : ''}><a href="${runHref(run)}">#${run.attempt}</a> ${statusChip(run.status)} ${time(run.startedAt)} · ${duration(run.durationMs)}${run.error && html` · <span class="error-line">${run.error}</span>`}</li>`)}</ol></div>`)}
</section>
${logSection(log)}
<section class="receipt">
<h2>Receipt</h2>
${fields(selected)}
<details><summary>JSON</summary><pre>${JSON.stringify(withoutIndexFields(selected), null, 2)}</pre></details>
</section>
</article>`
}

function fields(run: IndexedRun): SafeHtml {
  const rows: [string, string | SafeHtml | undefined][] = [
    ['status', statusChip(run.status)],
    ['trigger', triggerLabel(run.trigger)],
    ['started', time(run.startedAt)],
    ['finished', time(run.finishedAt)],
    ['duration', duration(run.durationMs)],
    ['worktree', run.worktree],
    ['host', `${run.host} (pid ${run.pid})`],
    ['artifact', run.artifact],
    ['error', run.error && html`<span class="error-line">${run.error}</span>`],
    ['reason', run.reason],
    ['log', run.log && html`<code>${run.log}</code>`],
  ]
  return html`<dl class="fields">${rows.filter(([, value]) => value !== undefined).map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>`
}

/** The receipt as it is in Git: without what the index adds. */
function withoutIndexFields(run: IndexedRun): object {
  const { attempt: _attempt, position: _position, ...receipt } = run
  return receipt
}
