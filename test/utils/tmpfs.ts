import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'pathe'
import { afterAll } from 'vitest'
import { tempDir } from './repo'

const mounted: string[] = []
afterAll(() => {
  for (const dir of mounted.splice(0).reverse()) execFileSync('umount', [dir])
})

/**
 * Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as on the dev box; often not on CI): a real
 * full disk (ENOSPC) is a tiny tmpfs filled up. Tests that need one run only where it works.
 */
export const canMountTmpfs: boolean = (() => {
  if (process.getuid?.() !== 0) return false
  const dir = join(tempDir('gitvan-tmpfs-probe-'), 'mnt')
  mkdirSync(dir)
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', dir], { stdio: 'ignore' })
    execFileSync('umount', [dir])
    return true
  } catch {
    return false
  }
})()

/** Mount a tmpfs of `kilobytes` at `dir` (made if missing), unmounted after the test file. */
export function mountTmpfs(dir: string, kilobytes: number): void {
  mkdirSync(dir, { recursive: true })
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir])
  mounted.push(dir)
}
