import { mkdirSync, writeFileSync } from 'node:fs'
import { watch } from 'chokidar'
import { join } from 'pathe'
import { RemoteUnreachableError, fetchRefs, upstreamRemote } from '../git/remote'
import { readRef } from '../git/refs'
import { LLM_CACHE_REF } from '../llm/cache'
import { LEASE_PREFIX } from '../locks/lease'
import { LOGS_REF } from '../receipts/log-format'
import type { GitVanApp } from '../types/app'
import { errorLine } from '../utils/messages'
import { SEEN_REF, STATE_REF } from './state'

/** Where a daemon keeps the remote's branches: `refs/remotes/<remote>/` (a URL gets `refs/remotes/gitvan/`). */
export function remoteBranchesPrefix(remote: string): string {
  return `refs/remotes/${/^[\w.-]+$/.test(remote) ? remote : 'gitvan'}/`
}

/** The file a server's `post-receive` hook touches to make the daemons of this clone fetch at once. */
export function pokeFile(commonDir: string): string {
  return join(commonDir, 'gitvan', 'poke')
}

export interface RemoteSync {
  /** The first fetch (throws when the remote cannot be reached), then fetches on the interval and on pokes. */
  start: () => Promise<void>
  /** Fetch now (calls made meanwhile share one fetch after the one under way). */
  now: () => Promise<void>
  close: () => Promise<void>
}

/**
 * How a daemon learns what happened elsewhere: one fetch of the remote's branches (into `refs/remotes/<remote>/`),
 * its tags, and GitVan's refs (leases and claims, the state, receipts, logs, the LLM cache), every `interval` ms and
 * at once when the poke file is touched. `onSynced` follows each fetch. Failures are the store's to report (an
 * outage is told once through `onReachability`); others go to `onProblem`.
 */
export function startRemoteSync(app: GitVanApp, options: { interval: number; onSynced: () => void; onProblem: (message: string) => void }): RemoteSync {
  const remote = app.refs.remote!
  const refs = [`+refs/heads/*:${remoteBranchesPrefix(remote)}*`, LEASE_PREFIX, STATE_REF, SEEN_REF, app.options.receipts.ref, LOGS_REF, LLM_CACHE_REF]
  let running: Promise<void> | undefined
  let again: Promise<void> | undefined
  let closed = false

  const fetchOnce = async () => {
    try {
      await app.refs.sync(refs, { tags: true })
      if (!closed) options.onSynced()
    } catch (error) {
      if (!(error instanceof RemoteUnreachableError)) options.onProblem(`fetching from ${remote} failed, retrying: ${errorLine(error)}`)
    }
  }
  const now = (): Promise<void> => {
    if (!running) {
      running = fetchOnce().finally(() => (running = undefined))
      return running
    }
    again ??= running.then(() => {
      again = undefined
      return now()
    })
    return again
  }

  let watcher: ReturnType<typeof watch> | undefined
  let timer: NodeJS.Timeout | undefined
  return {
    async start() {
      await app.refs.sync(refs, { tags: true })
      const poke = pokeFile(app.repo.commonDir)
      mkdirSync(join(poke, '..'), { recursive: true })
      writeFileSync(poke, '', { flag: 'a' })
      watcher = watch(poke, { ignoreInitial: true }).on('all', () => void now())
      timer = setInterval(() => void now(), options.interval)
      timer.unref()
    },
    now,
    async close() {
      closed = true
      clearInterval(timer)
      await watcher?.close()
      await running
    },
  }
}

/**
 * The fetch refspecs that make a plain `git fetch` bring GitVan's receipts, logs and LLM cache (globs, so a remote
 * without them is no error): what `gitvan init --remote` adds to the remote's config.
 */
export function gitvanRefspecs(receiptsRef: string): string[] {
  return [receiptsRef, LOGS_REF, LLM_CACHE_REF].map(ref => `+${ref}*:${ref}*`)
}

/**
 * A daemon without a remote starting in a clone that has no receipts and no state yet (a fresh clone): fetch the
 * receipts and logs from the remote the branch pulls from, so work done elsewhere is not done again. Returns the
 * remote fetched from, `null` when there was nothing to do; an unreachable remote is reported and skipped.
 */
export async function adoptCloneReceipts(app: GitVanApp, onProblem: (message: string) => void): Promise<string | null> {
  const cwd = app.repo.root
  const ref = app.options.receipts.ref
  if ((await readRef(cwd, ref)) || (await readRef(cwd, STATE_REF))) return null
  const remote = await upstreamRemote(cwd, app.repo.branch)
  if (!remote) return null
  try {
    await fetchRefs(cwd, remote, gitvanRefspecs(ref).slice(0, 2))
    return (await readRef(cwd, ref)) ? remote : null
  } catch (error) {
    onProblem(`could not fetch receipts from ${remote} (${errorLine(error)}): runs done elsewhere may run again here`)
    return null
  }
}
