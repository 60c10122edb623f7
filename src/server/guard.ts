import { createHash, timingSafeEqual } from 'node:crypto'
import { HTTPError, getCookie, redirect, setCookie } from 'h3'
import type { H3Event, HTTPResponse } from 'h3'

const COOKIE = 'gitvan_ui_token'
export const TOKEN_HEADER = 'x-gitvan-token'

export interface GuardOptions {
  /** The interface the server listens on. */
  host: string
  /** The port it listens on, once known. */
  port: () => number
  /** The secret every request must carry, when configured (`GITVAN_UI_TOKEN`). */
  accessToken?: string
  /** The per-start token the page's own script sends with actions. */
  actionToken: string
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
}

/**
 * What the server lets in. Bound to loopback, only requests addressed to this server by name are answered: a
 * page elsewhere that rebinds its own host name to 127.0.0.1 sends its own name in `Host`, and is refused. With
 * an access token, every request carries it (a `?token=` link sets a cookie). Actions, which change the
 * repository, also need the page's origin and the token this start of the server put in the page.
 */
export function createGuard(options: GuardOptions) {
  const local = isLoopback(options.host)

  function request(event: H3Event): HTTPResponse | undefined {
    const host = event.req.headers.get('host') ?? ''
    if (local && !localHosts(options.host, options.port()).has(host)) {
      throw new HTTPError({ status: 403, message: `Refused a request for host "${host}": this server answers only ${hostWithPort(options.host, options.port())} (open it by that address)` })
    }
    if (!options.accessToken) return
    const query = event.url.searchParams.get('token')
    if (query !== null && same(query, options.accessToken)) {
      setCookie(event, COOKIE, options.accessToken, { httpOnly: true, sameSite: 'strict', path: '/' })
      const url = new URL(event.url)
      url.searchParams.delete('token')
      return redirect(`${url.pathname}${url.search}`, 303)
    }
    const bearer = /^Bearer (.+)$/.exec(event.req.headers.get('authorization') ?? '')?.[1]
    const cookie = getCookie(event, COOKIE)
    if (![bearer, cookie].some(token => token !== undefined && same(token, options.accessToken!))) {
      throw new HTTPError({ status: 401, message: 'This page needs its access token: open it once with ?token=<the value of GITVAN_UI_TOKEN> (or send Authorization: Bearer <token>)' })
    }
  }

  function action(event: H3Event): void {
    const expected = `http://${event.req.headers.get('host')}`
    const origin = event.req.headers.get('origin')
    if (origin !== expected || !['same-origin', null].includes(event.req.headers.get('sec-fetch-site'))) {
      throw new HTTPError({ status: 403, message: `Refused an action from origin ${origin ?? '(none)'}: actions are taken only from this page (${expected}), use its buttons` })
    }
    const token = event.req.headers.get(TOKEN_HEADER)
    if (token === null || !same(token, options.actionToken)) {
      throw new HTTPError({ status: 403, message: `Refused an action without this server's token: reload the page (the token changes each time the server starts) and use its buttons` })
    }
  }

  return { request, action }
}

/** The `Host` values a loopback server answers: its own address, and the loopback names. */
function localHosts(host: string, port: number): Set<string> {
  return new Set([host, '127.0.0.1', 'localhost', '::1'].map(name => hostWithPort(name, port)))
}

export function hostWithPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
}

/** Equal strings, compared in constant time (through digests, which have one length). */
function same(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(a), digest(b))
}
