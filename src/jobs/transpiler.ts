import { accessSync, constants, mkdirSync } from 'node:fs'
import type { TransformOptions } from 'jiti'
import { join } from 'pathe'
import { loadJiti } from '../utils/jiti'
import { lazyLogger } from '../utils/logger'
import { errorLine } from '../utils/messages'

export const cacheLogger = lazyLogger('gitvan:cache')
/** Cache dirs reported in this process: `gitvan dev` makes a new loader on every reload, and says it once. */
const reported = new Set<string>()

/**
 * jiti's transform, with its disk cache in `cacheDir` until the cache fails (a full disk, a read-only or misplaced
 * dir), then without: the cache only saves time, and a job must not break for it. Said once, with the dir and why.
 */
export function createTranspiler(root: string, cacheDir: string): (options: TransformOptions) => string {
  const { createJiti } = loadJiti()
  const uncached = createJiti(join(root, '_'), { fsCache: false, moduleCache: false })
  let cached = cacheUsable(cacheDir) ? createJiti(join(root, '_'), { fsCache: cacheDir, moduleCache: false }) : undefined
  return (options) => {
    if (cached) {
      try {
        return cached.transform(options)
      } catch (error) {
        // jiti hands transpile errors back as code; what it throws comes from reading or writing its cache.
        if (!isSystemError(error)) throw error
        cached = undefined
        report(cacheDir, error)
      }
    }
    return uncached.transform(options)
  }
}

/** What jiti checks before it uses a cache dir, which it skips silently when it fails. */
function cacheUsable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
    return true
  } catch (error) {
    report(dir, error)
    return false
  }
}

function report(dir: string, error: unknown): void {
  if (reported.has(dir)) return
  reported.add(dir)
  cacheLogger.warn(`Transpile cache ${dir} cannot be used (${errorLine(error)}): jobs load without it; free disk space, or fix or remove that dir`)
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string'
}
