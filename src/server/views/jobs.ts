import type { JobOverview } from '../../types/ui'
import { duration, runHref, time } from './format'
import { html } from './html'
import type { Page } from './layout'

/** Jobs: what starts each, its next schedule slots, its last runs and how often they succeed. */
export function jobsPage(jobs: JobOverview[], known: boolean): Page {
  const note = known ? '' : html`<p class="note">No worktree here (a bare repository or a mirror): job definitions are unknown; the jobs below are those the receipts name.</p>`
  if (jobs.length === 0) return { title: 'Jobs', nav: 'jobs', live: html`${note}<p class="empty">No jobs yet: add one under <code>jobs/</code>, e.g. <code>jobs/hello.ts</code>.</p>` }
  return {
    title: 'Jobs',
    nav: 'jobs',
    live: html`${note}<table class="jobs" id="jobs">
<thead><tr><th>job</th><th>triggers</th><th>schedule</th><th>last runs</th><th>success</th></tr></thead>
<tbody>${jobs.map(job => html`<tr data-job="${job.id}">
<td><a href="/?job=${encodeURIComponent(job.id)}"><strong>${job.id}</strong></a>${job.summary?.desc && html`<div class="desc">${job.summary.desc}</div>`}${job.summary?.broken && html`<div class="error-line">${job.summary.broken}</div>`}${!job.summary && known && html`<div class="desc">no longer in jobs/</div>`}</td>
<td>${job.triggers}</td>
<td>${job.summary?.schedule && html`<code>${job.summary.schedule}</code>${job.summary.timezone && ` (${job.summary.timezone})`}<ul class="slots">${job.next.map(slot => html`<li>${time(slot)}</li>`)}</ul>`}</td>
<td><div class="dots">${job.last.map(run => html`<a class="dot status-${run.status}" href="${runHref(run)}" title="${`${run.status} · ${run.startedAt} · ${duration(run.durationMs)}`}"><span>${run.status}</span></a>`)}</div></td>
<td>${job.successRate === null ? '—' : html`<strong>${Math.round(job.successRate * 100)}%</strong> <span class="desc">of ${job.runs}</span>`}</td>
</tr>`)}</tbody>
</table>`,
  }
}
