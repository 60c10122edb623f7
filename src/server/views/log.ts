import { LOGS_REF } from '../../receipts/log-format'
import type { RunLog, RunLogRead } from '../../types/log'
import { html } from './html'
import type { SafeHtml } from './html'

/** A run's log by step, each line with its time since the start; stderr lines are marked (not by color alone). */
export function logSection(read: RunLogRead): SafeHtml {
  return html`<section class="log" id="log"><h2>Log</h2>${read.status === 'kept' ? steps(read.log) : html`<p class="note">${absent(read)}</p>`}</section>`
}

function absent(read: Exclude<RunLogRead, { status: 'kept' }>): SafeHtml | string {
  switch (read.status) {
    case 'none': {
      return 'This run wrote no output.'
    }
    case 'missing': {
      return html`The log <code>${read.oid}</code> is not in <code>${LOGS_REF}</code>: it was pruned (<code>gitvan prune</code>), or not fetched here (<code>git fetch origin +${LOGS_REF}:${LOGS_REF}</code>).`
    }
    default: {
      return html`The log <code>${read.oid}</code> cannot be read: ${read.reason}`
    }
  }
}

/** Output before any step (an atomic job's, or a composite's before its first step) goes in an untitled block. */
function steps(log: RunLog): SafeHtml {
  const blocks: { step: string | null; lines: SafeHtml[] }[] = []
  for (const entry of log.entries) {
    if ('step' in entry) {
      blocks.push({ step: entry.step, lines: [] })
      continue
    }
    if (blocks.length === 0) blocks.push({ step: null, lines: [] })
    const time = html`<span class="t">+${(entry.t / 1000).toFixed(3)}s</span>`
    const line = 'cut' in entry
      ? html`<span class="line cut">${time}<span class="stream"></span>… ${entry.cut.lines} lines (${entry.cut.bytes} bytes) cut …</span>`
      : 'err' in entry
        ? html`<span class="line stderr">${time}<span class="stream">err</span>${entry.err}</span>`
        : html`<span class="line">${time}<span class="stream"></span>${entry.out}</span>`
    blocks.at(-1)!.lines.push(line)
  }
  return html`${blocks.map(block => html`<div class="step">${block.step !== null && html`<h3>step ${block.step}</h3>`}${block.lines.length > 0 ? html`<pre>${block.lines}</pre>` : html`<p class="desc">no output</p>`}</div>`)}`
}
