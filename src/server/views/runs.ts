import { STATUSES, TRIGGERS, filterQuery } from '../filter'
import type { RunRow, RunsPage } from '../../types/ui'
import { duration, runHref, shortSha, time, triggerLabel } from './format'
import { html } from './html'
import type { Page } from './layout'

const SINCE = [['', 'any time'], ['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['30d', 'last 30 days']] as const

/** Runs: a timeline of commits (and tags, new branches, schedule slots) with a chip per job, newest first. */
export function runsPage(data: RunsPage): Page {
  return { title: 'Runs', nav: 'runs', top: filters(data), live: results(data) }
}

function filters({ filter, facets }: RunsPage): Page['top'] {
  const select = (name: string, all: string, values: readonly (string | readonly [string, string])[], current: string | undefined) => {
    const options = values.map(value => (typeof value === 'string' ? [value, value] as const : value))
    // A value from a shared link that this repository does not have stays selectable, so the form keeps it.
    if (current && !options.some(([value]) => value === current)) options.push([current, current])
    return html`<label><span>${name}</span><select name="${name}"><option value="">${all}</option>${options.filter(([value]) => value !== '').map(([value, label]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`)}</select></label>`
  }
  return html`<form class="filters" id="filters" method="get" action="/" role="search">
<label class="search"><span>search</span><input type="search" name="q" value="${filter.q ?? ''}" placeholder="job, commit subject, error…" autocomplete="off"></label>
${select('job', 'all jobs', facets.jobs, filter.job)}
${select('status', 'any status', STATUSES, filter.status)}
${select('branch', 'any branch', facets.branches, filter.branch)}
${select('worktree', 'any worktree', facets.worktrees, filter.worktree)}
${select('trigger', 'any trigger', TRIGGERS, filter.trigger)}
${select('since', 'any time', SINCE, filter.since?.raw)}
<button type="submit">Filter</button>
<a class="clear" href="/">Clear</a>
</form>`
}

function results(data: RunsPage): Page['live'] {
  const { filter, rows, total, pages } = data
  if (total === 0) {
    const filtered = filterQuery(filter, { page: 1 }) !== ''
    return html`<p class="empty">${filtered ? html`No runs match these filters. <a href="/">Clear them</a>.` : html`No runs yet: run a job with <code>gitvan run &lt;id&gt;</code>, or start <code>gitvan daemon</code> or <code>gitvan dev</code>; runs appear here as they finish.`}</p>`
  }
  const pager = html`<nav class="pager" aria-label="pages">
${filter.page > 1 ? html`<a rel="prev" href="/${filterQuery(filter, { page: filter.page - 1 })}">← Newer</a>` : html`<span></span>`}
<span>${total} ${total === 1 ? 'row' : 'rows'} · page ${filter.page} of ${pages}</span>
${filter.page < pages ? html`<a rel="next" href="/${filterQuery(filter, { page: filter.page + 1 })}">Older →</a>` : html`<span></span>`}
</nav>`
  return html`<ol class="timeline" id="runs">${rows.map(row)}</ol>${pager}`
}

function row(row: RunRow) {
  const what = row.kind === 'commit' ? (row.label ? html`<span class="ref">${row.label}</span>` : '') : html`<span class="kind kind-${row.kind}">${row.kind === 'branch' ? 'new branch' : row.kind}</span> <span class="ref">${row.label}</span>`
  return html`<li class="row" data-sha="${row.sha}" data-kind="${row.kind}">
<div class="what">
<div class="subject">${what} ${row.subject ?? html`<em>commit not in this repository</em>`}</div>
<div class="meta"><code>${shortSha(row.sha)}</code>${row.author && html` · ${row.author}`} · ${time(row.latest)}</div>
</div>
<div class="chips">${row.jobs.map(({ run, attempts }) => html`<a class="chip status-${run.status}" data-job="${run.job}" href="${runHref(run)}" title="${`${run.job}: ${run.status}, ${duration(run.durationMs)}, ${triggerLabel(run.trigger)}${run.error ? ` · ${run.error}` : ''}`}">${run.job}${attempts > 1 && html`<small>×${attempts}</small>`}</a>`)}</div>
</li>`
}
