import { watch } from 'chokidar'
import { join } from 'pathe'

export interface RefWatcher {
  close: () => Promise<void>
}

/**
 * Call `onChange` (debounced) when branches, tags, packed refs or any worktree's HEAD change, and every
 * `pollInterval` ms regardless: the poll catches what a file watcher misses (network file systems, overflow).
 * Git writes `<ref>.lock` then renames it into place, so lock files are ignored and the rename is the event.
 * `also`: more paths under the common dir (a daemon with a remote watches `refs/remotes/<remote>`, which a push from
 * this clone moves).
 */
export function watchRefs(commonDir: string, options: { pollInterval: number; debounce?: number; onChange: () => void; also?: string[] }): RefWatcher {
  let timer: NodeJS.Timeout | undefined
  const fire = () => {
    clearTimeout(timer)
    timer = setTimeout(options.onChange, options.debounce ?? 5)
  }
  const watcher = watch([join(commonDir, 'refs/heads'), join(commonDir, 'refs/tags'), join(commonDir, 'packed-refs'), join(commonDir, 'HEAD'), join(commonDir, 'worktrees'), ...(options.also ?? []).map(path => join(commonDir, path))], {
    ignoreInitial: true,
    ignored: (path: string) => path.endsWith('.lock') || /\/worktrees\/[^/]+\/(?!HEAD$)[^/]+$/.test(path),
    depth: 20,
  })
  watcher.on('all', fire)
  const poll = setInterval(options.onChange, options.pollInterval)
  return {
    async close() {
      clearTimeout(timer)
      clearInterval(poll)
      await watcher.close()
    },
  }
}
