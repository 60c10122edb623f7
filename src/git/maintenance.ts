import { readdir } from 'node:fs/promises'
import { join } from 'pathe'
import { runGit } from './command'

/** How many packs the repository whose common dir is `commonDir` has. */
export async function countPacks(commonDir: string): Promise<number> {
  const names = await readdir(join(commonDir, 'objects', 'pack')).catch(() => [])
  return names.filter(name => name.endsWith('.pack')).length
}

/**
 * Merge the small packs into larger ones, leaving the big ones alone (`git repack --geometric=2`): each notes commit
 * a writer imports is a pack of its own whose trees repeat most of the last one's, and together they delta down to
 * a fraction. The cost follows the small packs, not the repository.
 */
export async function compactPacks(cwd: string): Promise<void> {
  await runGit(['repack', '-d', '-q', '--geometric=2'], { cwd })
}
