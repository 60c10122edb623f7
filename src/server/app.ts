import { H3, HTTPError, createEventStream, html as htmlResponse, raw, readBody } from 'h3'
import type { H3Event } from 'h3'
import type { Hookable } from 'hookable'
import type { JobSummary } from '../jobs/registry'
import type { ReceiptIndex } from '../types/receipt'
import type { RerunReply, RerunRequest } from '../types/ui'
import { readRunLogs } from '../receipts/logs-ref'
import { attemptKey, receiptKey } from '../receipts/receipt'
import { isOid } from '../git/oid'
import { errorLine } from '../utils/messages'
import type { Asset } from './assets'
import { badInput, parseRunFilter } from './filter'
import type { createGuard } from './guard'
import { jobsOverview } from './jobs'
import { selectRows } from './rows'
import { escapeHtml } from './views/html'
import { jobsPage } from './views/jobs'
import { layout } from './views/layout'
import type { Page, ViewContext } from './views/layout'
import { runPage } from './views/run'
import { runsPage } from './views/runs'

/** Sent to every open page when receipts changed: the new notes commit and the commits whose notes did. */
export interface LiveChange {
  tip: string | null
  notes: string[]
}

export interface UiHooks {
  change: (change: LiveChange) => void
}

export interface UiAppContext {
  /** The repository (for the runs' logs). */
  cwd: string
  index: ReceiptIndex
  view: ViewContext
  guard: ReturnType<typeof createGuard>
  hooks: Hookable<UiHooks>
  assets: Map<string, Asset>
  jobs?: () => Promise<JobSummary[]>
  rerun?: (request: RerunRequest) => Promise<RerunReply>
}

/** The page's script asks for the live part only (`x-gitvan-live: 1`) when receipts changed. */
const LIVE_HEADER = 'x-gitvan-live'
const TIP_HEADER = 'x-gitvan-tip'

// Scripts and styles only from this server (none inline), no framing, no referrer: the URL may carry filters.
const SECURITY_HEADERS = {
  'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

/** The h3 app of the web page: the runs, a run, the jobs; live updates; re-runs. */
export function createUiApp(context: UiAppContext): H3 {
  const { index, guard } = context
  const app = new H3({ onError: (error, event) => errorResponse(error, event, context.view) })

  app.use((event) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) event.res.headers.set(name, value)
    return guard.request(event)
  })

  app.get('/', event => render(event, context, runsPage(selectRows(index, parseRunFilter(event.url.searchParams)))))

  app.get('/run', async (event) => {
    const { note, job, n } = Object.fromEntries(event.url.searchParams)
    if (!isOid(note) || !job) throw badInput('A run link needs note=<full commit sha> and job=<job id>: open runs from the runs page')
    const runs = index.runsOf(note).filter(run => run.job === job)
    const selected = n === undefined ? runs.at(-1) : runs.find(run => String(run.position) === n)
    if (!selected) throw new HTTPError({ status: 404, message: `No run of ${job} in the note of ${note.slice(0, 7)}${n === undefined ? '' : ` at position ${n}`}: open runs from the runs page` })
    const [log] = await readRunLogs(context.cwd, [selected])
    return render(event, context, runPage({ note, job, runs, selected, commit: index.commit(selected.sha), log: log!, rerun: Boolean(context.rerun) }))
  })

  app.get('/jobs', async (event) => {
    const summaries = context.jobs ? await context.jobs() : null
    return render(event, context, jobsPage(jobsOverview(index, summaries), summaries !== null))
  })

  app.get('/api/runs', event => selectRows(index, parseRunFilter(event.url.searchParams)))

  app.get('/events', (event) => {
    const stream = createEventStream(event)
    const send = (name: string, data: unknown) => stream.push({ event: name, data: JSON.stringify(data) })
    const off = context.hooks.hook('change', change => void send('change', change))
    stream.onClosed(off)
    void send('ready', { tip: index.tip })
    return stream
  })

  app.post('/api/rerun', async (event) => {
    guard.action(event)
    if (!context.rerun) throw new HTTPError({ status: 409, message: `Re-runs are off here (${context.view.readOnly ?? 'read-only'}): run \`gitvan rerun\` in a clone with a worktree` })
    const body = await readBody<{ note?: unknown; job?: unknown; n?: unknown }>(event)
    const runs = isOid(body?.note) && typeof body?.job === 'string' ? index.runsOf(body.note).filter(run => run.job === body.job) : []
    const run = runs.find(run => run.position === body?.n)
    if (!run) throw badInput('A re-run names a run: {"note": "<full commit sha>", "job": "<job id>", "n": <its position>}; use the button on a failed run\'s page')
    const key = receiptKey(run)
    const newest = runs.findLast(other => attemptKey(other) === attemptKey(run))!
    if (key === null || !(newest.status === 'error' || newest.status === 'timeout')) {
      throw new HTTPError({ status: 409, message: `Nothing to re-run: the newest attempt of ${run.job} on ${run.sha.slice(0, 7)} ${key === null ? 'was run by another job' : `ended ${newest.status}`}` })
    }
    const reply = await context.rerun({ job: run.job, key, note: run.note, sha: run.sha })
    if (reply.outcome !== 'ran') throw new HTTPError({ status: 409, message: reply.message ?? `Not re-run: ${reply.outcome}` })
    return reply
  })

  app.get('/assets/:name', (event) => {
    const asset = context.assets.get(event.context.params?.name ?? '')
    if (!asset) throw new HTTPError({ status: 404, message: `No asset ${event.url.pathname}` })
    const immutable = event.url.search === asset.href.slice(asset.href.indexOf('?'))
    event.res.headers.set('content-type', asset.type)
    event.res.headers.set('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    return asset.body
  })

  return app
}

/** A whole page, or its live part alone; either says which notes commit it shows (the script compares). */
function render(event: H3Event, context: UiAppContext, page: Page) {
  const tip = context.index.tip ?? ''
  event.res.headers.set('vary', LIVE_HEADER)
  event.res.headers.set(TIP_HEADER, tip)
  return htmlResponse(raw((event.req.headers.get(LIVE_HEADER) ? page.live : layout(context.view, page, tip)).value))
}

/** Errors as one line: a small page for a browser, JSON for the page's script and other clients. */
function errorResponse(error: HTTPError, event: H3Event, view: ViewContext): Response {
  const status = error.status || 500
  const message = status >= 500 ? `Internal error: ${errorLine(error.cause ?? error)}` : error.message
  const headers = { ...SECURITY_HEADERS, ...Object.fromEntries(error.headers ?? []) }
  if (!event.req.headers.get('accept')?.includes('text/html')) return Response.json({ status, message }, { status, headers })
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} · GitVan</title><link rel="stylesheet" href="${view.assets.css}"></head><body><main class="error"><h1>${status}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to the runs</a></p></main></body></html>`
  return new Response(body, { status, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } })
}
