import { randomBytes } from 'node:crypto'
import { hostName } from '../utils/host'
import { rm } from 'node:fs/promises'
import { join } from 'pathe'
import { git, runGit } from '../git/command'
import { listWorktrees } from '../git/worktrees'
import type { RepoInfo } from '../types/git'
import { processExists } from '../utils/process'

/** A detached checkout of one commit, borrowed for a run. */
export interface Checkout {
  /** Its top-level directory: the run's `worktreeRoot`. */
  root: string
  /** Give it back (it is reused for another commit, or removed when the pool closes). */
  release: () => Promise<void>
}

export interface Checkouts {
  /** A checkout of exactly `sha`: a reused one switched to it and cleaned, or a new `git worktree add --detach`. */
  acquire: (sha: string) => Promise<Checkout>
  /** Remove every checkout of this pool. */
  close: () => Promise<void>
}

/** The lock reason that marks a worktree as one of GitVan's checkouts, and names the process that owns it. */
const REASON = /^gitvan checkout pid (\d+) on (.+)$/

/**
 * A pool of temporary detached worktrees under `<common dir>/gitvan/checkouts/`, for jobs with
 * `checkout: 'isolated'`. Each is locked with a reason naming this process, so `cleanupCheckouts` can tell GitVan's
 * own, and whose, after a kill -9. Released checkouts are reused: switching a worktree to another commit and
 * cleaning it costs a fraction of making one.
 */
export function createCheckouts(repo: RepoInfo): Checkouts {
  const dir = join(repo.commonDir, 'gitvan/checkouts')
  const idle: string[] = []
  const all = new Set<string>()

  async function prepare(root: string, sha: string): Promise<void> {
    await git(['checkout', '--quiet', '--detach', '--force', sha], { cwd: root })
    await git(['clean', '-ffdxq'], { cwd: root })
  }

  async function create(sha: string): Promise<string> {
    const root = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`)
    await git(['worktree', 'add', '--quiet', '--detach', '--lock', '--reason', `gitvan checkout pid ${process.pid} on ${hostName()}`, root, sha], { cwd: repo.root })
    all.add(root)
    return root
  }

  return {
    async acquire(sha) {
      const reused = idle.pop()
      let root: string
      if (reused) {
        try {
          await prepare(reused, sha)
          root = reused
        } catch {
          // A checkout that cannot be switched (its files removed under us) is replaced by a new one.
          await remove(repo, reused).catch(() => {})
          all.delete(reused)
          root = await create(sha)
        }
      } else {
        root = await create(sha)
      }
      return { root, release: async () => void idle.push(root) }
    },
    async close() {
      idle.length = 0
      await Promise.all([...all].map(root => remove(repo, root).catch(() => {})))
      all.clear()
    },
  }
}

/**
 * Remove the checkouts that a GitVan process on this host left behind when it died (kill -9, a crash): locked with
 * GitVan's reason, by a pid that no longer runs. Another live process's checkouts, and any worktree GitVan did not
 * make, are left alone. Returns the paths removed.
 */
export async function cleanupCheckouts(repo: RepoInfo): Promise<string[]> {
  const removed: string[] = []
  for (const worktree of await listWorktrees(repo.root)) {
    const match = typeof worktree.locked === 'string' ? REASON.exec(worktree.locked) : null
    if (!match || match[2] !== hostName() || processExists(Number(match[1]))) continue
    await remove(repo, worktree.path)
    removed.push(worktree.path)
  }
  if (removed.length > 0) await runGit(['worktree', 'prune'], { cwd: repo.root })
  return removed
}

async function remove(repo: RepoInfo, root: string): Promise<void> {
  await runGit(['worktree', 'unlock', root], { cwd: repo.root, okCodes: [0, 128] })
  const { exitCode } = await runGit(['worktree', 'remove', '--force', root], { cwd: repo.root, okCodes: [0, 128] })
  // A checkout whose directory is gone already (or half-made) is forgotten by prune; its leftovers removed here.
  if (exitCode !== 0) {
    await rm(root, { recursive: true, force: true })
    await runGit(['worktree', 'prune'], { cwd: repo.root })
  }
}
