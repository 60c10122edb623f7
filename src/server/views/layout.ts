import { html } from './html'
import type { SafeHtml } from './html'

/** What every page shares: where it is, the per-start token for actions, the assets' versioned addresses. */
export interface ViewContext {
  /** The repository's name, for titles. */
  repo: string
  /** The per-start token the page's script sends with actions. */
  token: string
  /** Why the page cannot re-run anything, when it cannot. */
  readOnly?: string
  assets: { css: string; js: string; icon: string }
}

export interface Page {
  title: string
  nav: 'runs' | 'jobs'
  /** The part that stays put while the page is open (filters). */
  top?: SafeHtml
  /** The part live updates replace: what the page's data says now. */
  live: SafeHtml
}

/** `tip`: the notes commit the page shows, so its script can tell when it missed a change. */
export function layout(context: ViewContext, page: Page, tip: string): SafeHtml {
  const link = (href: string, name: Page['nav'], label: string) => html`<a href="${href}"${page.nav === name ? html` aria-current="page"` : ''}>${label}</a>`
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="gitvan-token" content="${context.token}">
<title>${page.title} · ${context.repo} · GitVan</title>
<link rel="icon" href="${context.assets.icon}">
<link rel="stylesheet" href="${context.assets.css}">
<script type="module" src="${context.assets.js}"></script>
</head>
<body>
<header class="bar">
<a class="brand" href="/"><img src="${context.assets.icon}" alt="" width="20" height="20">GitVan</a>
<span class="repo">${context.repo}</span>
<nav>${link('/', 'runs', 'Runs')}${link('/jobs', 'jobs', 'Jobs')}</nav>
${context.readOnly && html`<span class="badge" title="Re-runs are off">${context.readOnly}</span>`}
<span class="live-state" id="live-state" data-state="connecting">live</span>
</header>
<main>
${page.top}
<div id="live" data-tip="${tip}">${page.live}</div>
</main>
</body>
</html>
`
}
