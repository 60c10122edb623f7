// @ts-check
// The page's only script: local times, filters in the URL, live updates over server-sent events, re-runs.
// Pages are rendered by the server; this file makes them live without a framework.

const live = /** @type {HTMLElement} */ (document.querySelector('#live'))
const state = /** @type {HTMLElement} */ (document.querySelector('#live-state'))
const token = document.querySelector('meta[name="gitvan-token"]')?.getAttribute('content') ?? ''

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const UNITS = /** @type {const} */ ([['year', 31_536_000], ['month', 2_592_000], ['week', 604_800], ['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]])

/** Show each `<time>` relative to now, its local date and time on hover. */
function localTimes() {
  for (const element of document.querySelectorAll('time[datetime]')) {
    const date = new Date(element.getAttribute('datetime') ?? '')
    if (Number.isNaN(date.getTime())) continue
    const seconds = (date.getTime() - Date.now()) / 1000
    const [unit, size] = UNITS.find(([, size]) => Math.abs(seconds) >= size) ?? UNITS.at(-1) ?? ['second', 1]
    element.textContent = relative.format(Math.round(seconds / size), unit)
    element.setAttribute('title', date.toLocaleString())
  }
}

/** Filters go to the URL, empty ones left out, so a filtered page is a link to share. */
function filters() {
  const form = /** @type {HTMLFormElement | null} */ (document.querySelector('#filters'))
  if (!form) return
  const go = () => {
    const query = new URLSearchParams()
    for (const [name, value] of new FormData(form)) if (typeof value === 'string' && value.trim() !== '') query.set(name, value.trim())
    const search = query.toString()
    location.assign(search ? `/?${search}` : '/')
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    go()
  })
  form.addEventListener('change', (event) => {
    if (event.target instanceof HTMLSelectElement) go()
  })
}

let refreshing = false
let again = false

/** Fetch the live part of this page again and put it in place; one fetch at a time, the last change wins. */
async function refresh() {
  if (refreshing) {
    again = true
    return
  }
  refreshing = true
  try {
    do {
      again = false
      const response = await fetch(location.href, { headers: { 'x-gitvan-live': '1' } })
      if (!response.ok) break
      live.innerHTML = await response.text()
      live.dataset.tip = response.headers.get('x-gitvan-tip') ?? ''
      localTimes()
      performance.mark('gitvan:live')
      document.dispatchEvent(new CustomEvent('gitvan:live'))
    } while (again)
  } finally {
    refreshing = false
  }
}

/** Receipts changed in the repository: refresh when this page shows them (a run page: its note only). */
function listen() {
  const events = new EventSource('/events')
  const run = /** @type {HTMLElement | null} */ (document.querySelector('article.run'))
  events.addEventListener('ready', (event) => {
    state.dataset.state = 'live'
    // Receipts that landed between rendering this page and listening (or while disconnected) were not announced.
    const { tip } = /** @type {{ tip: string | null }} */ (JSON.parse(event.data))
    if ((tip ?? '') !== live.dataset.tip) void refresh()
  })
  events.addEventListener('error', () => {
    state.dataset.state = 'offline'
  })
  events.addEventListener('change', (event) => {
    const change = /** @type {{ tip: string | null, notes: string[] }} */ (JSON.parse(event.data))
    const note = run?.dataset.note
    if (!note || change.notes.includes(note)) void refresh()
  })
}

/** A failed pair's re-run, through the server with this page's token. */
function rerun() {
  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? /** @type {HTMLButtonElement | null} */ (event.target.closest('button[data-rerun]')) : null
    if (!button) return
    const status = button.parentElement?.querySelector('.action-state')
    const say = (/** @type {string} */ text) => {
      if (status) status.textContent = text
    }
    button.disabled = true
    say('re-running…')
    try {
      const response = await fetch('/api/rerun', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gitvan-token': token },
        body: JSON.stringify({ note: button.dataset.note, job: button.dataset.job, n: Number(button.dataset.n) }),
      })
      const body = await response.json().catch(() => ({}))
      say(response.ok ? 'done: the new attempt is listed below' : `refused: ${body.message ?? response.statusText}`)
      if (!response.ok) button.disabled = false
    } catch (error) {
      say(`failed: ${error instanceof Error ? error.message : String(error)}`)
      button.disabled = false
    }
  })
}

localTimes()
filters()
listen()
rerun()
setInterval(localTimes, 30_000)
performance.mark('gitvan:rendered')
