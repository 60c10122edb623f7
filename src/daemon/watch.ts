import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { watch } from 'chokidar'
import { join, relative } from 'pathe'

export interface RefWatcher {
  close: () => Promise<void>
}

/** Past chokidar's 50 ms window in which further changes of a path it just reported are not reported. */
const TRAILING_MS = 60

export interface WatchRefsOptions {
  pollInterval: number
  debounce?: number
  /**
   * Something moved: `refs` names the refs whose files changed (full names, e.g. `refs/heads/main`) when that is all
   * that did; without it anything may have (`packed-refs`, a HEAD, a folder, a poll).
   */
  onChange: (refs?: string[]) => void
  /** More paths under the common dir (a daemon with a remote watches `refs/remotes/<remote>`, which a push moves). */
  also?: string[]
  /** The caller has work that needs a look now and then whatever the refs do (work another runner holds, say). */
  busy?: () => boolean
}

/** What the watcher reported since a callback last went out: ref names, or `null` for "anything". */
type Reported = Set<string> | null

/**
 * Call `onChange` (debounced) when branches, tags, packed refs or any worktree's HEAD change. Git writes
 * `<ref>.lock` then renames it into place, so lock files are ignored and the rename is the event. Every
 * `pollInterval` ms a poll catches what a file watcher misses (network file systems, overflow): it compares the
 * modification times of the watched folders and files (a rename into a folder changes the folder's), and calls
 * `onChange` when they differ from the last poll's, or when `busy()`; an idle daemon does nothing per poll.
 */
export function watchRefs(commonDir: string, options: WatchRefsOptions): RefWatcher {
  let timer: NodeJS.Timeout | undefined
  let trailing: NodeJS.Timeout | undefined
  let soon: Reported = new Set()
  let later: Reported = new Set()
  const call = (reported: Reported) => options.onChange(reported ? [...reported] : undefined)
  const fire = (event: string, path: string) => {
    // A ref file written or removed is named; anything else (a folder, packed-refs, a HEAD) may have moved any ref.
    const ref = event === 'add' || event === 'change' || event === 'unlink' ? relative(commonDir, path) : ''
    const add = (reported: Reported) => reported && ref.startsWith('refs/') ? reported.add(ref) : null
    soon = add(soon)
    later = add(later)
    clearTimeout(timer)
    timer = setTimeout(() => {
      const reported = soon
      soon = new Set()
      call(reported)
    }, options.debounce ?? 5)
    // chokidar drops the changes of a path for 50 ms after it reported one: a branch committed to again that soon
    // (a burst of commits) is looked at once more after that window, not at the next poll.
    clearTimeout(trailing)
    trailing = setTimeout(() => {
      const reported = later
      later = new Set()
      call(reported)
    }, TRAILING_MS)
  }
  const paths = [join(commonDir, 'refs/heads'), join(commonDir, 'refs/tags'), join(commonDir, 'packed-refs'), join(commonDir, 'HEAD'), join(commonDir, 'worktrees'), ...(options.also ?? []).map(path => join(commonDir, path))]
  const watcher = watch(paths, {
    ignoreInitial: true,
    ignored: (path: string) => path.endsWith('.lock') || /\/worktrees\/[^/]+\/(?!HEAD$)[^/]+$/.test(path),
    depth: 20,
  })
  watcher.on('all', fire)
  let last: Promise<string> = refsPrint(paths)
  let polling = false
  const poll = setInterval(async () => {
    if (polling) return
    polling = true
    try {
      const [before, now] = [await last, await refsPrint(paths)]
      last = Promise.resolve(now)
      if (now !== before || options.busy?.()) options.onChange(undefined)
    } finally {
      polling = false
    }
  }, options.pollInterval)
  return {
    async close() {
      clearTimeout(timer)
      clearTimeout(trailing)
      clearInterval(poll)
      await watcher.close()
    },
  }
}

/**
 * What changes whenever a ref under `paths` does: the modification time, size and inode of each path and of every
 * folder below (git updates a loose ref by renaming it into its folder, and rewrites `packed-refs` whole), never
 * reading a ref. Files in the folders are not looked at, so thousands of loose refs cost one `readdir` per folder.
 */
export async function refsPrint(paths: string[]): Promise<string> {
  const parts: string[] = []
  const visit = async (path: string, depth: number): Promise<void> => {
    const info = await stat(path).catch(() => undefined)
    parts.push(`${path} ${info ? `${info.mtimeMs} ${info.size} ${info.ino}` : '-'}`)
    if (!info?.isDirectory() || depth > 20) return
    const entries: Dirent[] = await readdir(path, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      // A worktree's admin folder: only its HEAD matters (what `gitvan` watches there).
      if (entry.isDirectory()) await visit(join(path, entry.name), depth + 1)
      else if (entry.name === 'HEAD') await visit(join(path, entry.name), depth + 1)
    }
  }
  for (const path of paths) await visit(path, 0)
  return parts.join('\n')
}
