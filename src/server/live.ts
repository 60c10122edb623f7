import { watch } from 'chokidar'
import { join } from 'pathe'

export interface RefWatch {
  close: () => Promise<void>
}

/**
 * Call `onChange` soon after `ref` may have moved: on file events for its loose ref file or `packed-refs` (git
 * writes `<ref>.lock` and renames it into place, so the rename is the event), and every `pollInterval` ms for
 * what file events miss (reftable, network file systems). The folders on the way to the ref are watched even
 * before they exist, so the first receipt of a repository is seen too. `onChange` checks what really changed.
 */
export function watchRef(commonDir: string, ref: string, options: { pollInterval: number; onChange: () => void }): RefWatch {
  const file = join(commonDir, ref)
  const packed = join(commonDir, 'packed-refs')
  let timer: NodeJS.Timeout | undefined
  const fire = () => {
    clearTimeout(timer)
    timer = setTimeout(options.onChange, 5)
  }
  const watcher = watch([join(commonDir, 'refs'), packed], {
    ignoreInitial: true,
    ignored: (path: string) => !(path === file || path === packed || file.startsWith(`${path}/`)),
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
