import { randomBytes } from 'node:crypto'
import { basename } from 'pathe'
import { serve } from 'h3'
import type { H3 } from 'h3'
import { createHooks } from 'hookable'
import { resolveGitDir } from '../git/repo'
import { createReceiptIndex } from '../receipts/receipt-index'
import type { UiServer, UiServerOptions } from '../types/ui'
import { errorLine } from '../utils/messages'
import { createUiApp } from './app'
import type { UiHooks } from './app'
import { loadAssets } from './assets'
import { createGuard, hostWithPort, isLoopback } from './guard'
import { watchRef } from './live'

/** Where `gitvan ui` listens when no port is asked for (any free port when it is taken). */
export const DEFAULT_PORT = 7370
/** Access tokens shorter than this are refused: they would be guessed. */
const MIN_TOKEN_LENGTH = 16

/**
 * Serve the web page of runs for a repository: index its receipts (incrementally from then on), watch the
 * receipts ref and tell open pages, and listen. Resolves once the page can be loaded, with its URL.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1'
  checkAccess(host, options.accessToken)
  const repo = await resolveGitDir(options.cwd)
  const index = createReceiptIndex({ cwd: options.cwd, ref: options.receiptsRef })
  const hooks = createHooks<UiHooks>()
  const actionToken = randomBytes(24).toString('base64url')
  let port = 0
  try {
    const [assets] = await Promise.all([loadAssets(), index.refresh()])
    const app = createUiApp({
      cwd: options.cwd,
      index,
      hooks,
      assets,
      jobs: options.jobs,
      rerun: options.rerun,
      guard: createGuard({ host, port: () => port, accessToken: options.accessToken, actionToken }),
      view: {
        repo: basename(repo.root ?? repo.commonDir.replace(/\/\.git$/, '')),
        token: actionToken,
        readOnly: options.readOnly,
        assets: { css: assets.get('app.css')!.href, js: assets.get('app.js')!.href, icon: assets.get('icon.svg')!.href },
      },
    })
    const server = await listen(app, host, options.port)
    port = Number(new URL(server.url!).port)
    const watcher = watchRef(repo.commonDir, options.receiptsRef, {
      pollInterval: options.pollInterval ?? 2000,
      onChange: () => {
        index.refresh()
          .then(notes => notes.length > 0 && hooks.callHook('change', { tip: index.tip, notes }))
          .catch(error => console.error(`gitvan: cannot read the receipts on ${options.receiptsRef}: ${errorLine(error)}`))
      },
    })
    return {
      url: `http://${hostWithPort(host, port)}/`,
      async close() {
        await watcher.close()
        await server.close(true)
        await index.close()
      },
    }
  } catch (error) {
    await index.close()
    throw error
  }
}

/** Off loopback, anyone on the network can reach the page: it must then require a secret. */
function checkAccess(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`GITVAN_UI_TOKEN is ${token.length} characters long: use a secret of ${MIN_TOKEN_LENGTH} or more (e.g. \`openssl rand -hex 24\`)`)
  }
  if (!isLoopback(host) && token === undefined) {
    throw new Error(`--host ${host} is not loopback: anyone who can reach it could read the runs, so set GITVAN_UI_TOKEN to a secret of ${MIN_TOKEN_LENGTH}+ characters first (or keep the default --host 127.0.0.1)`)
  }
}

/** Listen on `port`; without one, on the default port or, when it is taken, any free port. */
async function listen(app: H3, host: string, port: number | undefined) {
  const start = (at: number) => serve(app, { port: at, hostname: host, silent: true, gracefulShutdown: false }).ready()
  try {
    return await start(port ?? DEFAULT_PORT)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' && port === undefined) return start(0)
    if (code === 'EADDRINUSE') throw new Error(`Port ${port} on ${host} is in use: pass another --port, or --port 0 for any free one`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Error(`Cannot listen on --host ${host}: it is not an address of this machine; use 127.0.0.1, or an address \`ip addr\` lists`)
    throw error
  }
}
