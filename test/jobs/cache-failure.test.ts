import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import type { LogObject } from 'consola'
import { join } from 'pathe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAutoImports } from '../../src/jobs/imports'
import { createModuleLoader } from '../../src/jobs/loader'
import { cacheLogger } from '../../src/jobs/transpiler'
import type { Job } from '../../src/types/job'
import { gitvanPackage } from '../../src/utils/self'
import { runLines, runOnce } from '../daemon/fixtures/in-process'
import { createProject } from '../utils/project'
import { sh, tempDir } from '../utils/repo'
import { writeFiles } from '../utils/files'
import { canMountTmpfs, mountTmpfs } from '../utils/tmpfs'

// Issue 10, item 8: the transpile cache failing (a full disk, a file or a directory in its way) costs the cache,
// said once, never a job.

const logs: LogObject[] = []
beforeEach(() => cacheLogger.setReporters([{ log: entry => logs.push(entry) }]))
afterEach(() => {
  logs.length = 0
})

const jobs = {
  'jobs/canary.ts': 'export default defineJob({ run: (): { ok: boolean } => ({ ok: true }) })\n',
  'jobs/healthy.ts': 'const answer: number = 42\nexport default defineJob({ run: () => ({ ok: true, stdout: String(answer) }) })\n',
}

/** A project with both jobs and a loader whose transpile cache is `cacheDir`; the jobs' results. */
async function loadAndRun(cacheDir: string, root = tempDir()): Promise<unknown[]> {
  writeFiles(root, jobs)
  const loader = createModuleLoader({ root, entries: gitvanPackage().entries, autoImports: () => createAutoImports({ imports: [], dirs: [] }), importsDirs: [], sharedDirs: [], jobsDirs: [join(root, 'jobs')], cacheDir })
  const results = []
  for (const file of Object.keys(jobs)) {
    const job = (await loader.import<{ default: Job }>(join(root, file))).default
    results.push(await job.run!({} as never))
  }
  await loader.invalidate()
  return results
}

const warnings = () => logs.filter(entry => entry.type === 'warn').map(entry => String(entry.args[0]))

describe('a transpile cache that cannot be used', () => {
  it('a file where the cache dir should be: the jobs load without the cache, and it is said once', async () => {
    const cacheDir = join(tempDir(), 'cache/jiti')
    mkdirSync(join(cacheDir, '..'), { recursive: true })
    writeFileSync(cacheDir, 'not a directory\n')
    expect(await loadAndRun(cacheDir)).toEqual([{ ok: true }, { ok: true, stdout: '42' }])
    expect(await loadAndRun(cacheDir)).toEqual([{ ok: true }, { ok: true, stdout: '42' }])
    expect(warnings()).toEqual([`Transpile cache ${cacheDir} cannot be used (EEXIST: file already exists, mkdir '${cacheDir}'): jobs load without it; free disk space, or fix or remove that dir`])
  })

  it('a cache entry that cannot be read or written: the job loads without the cache, and so does every job after it', async () => {
    // A real failure inside jiti's cache, where no root is needed: the canary's cache entry is a directory.
    const cacheDir = join(tempDir(), 'jiti')
    const first = tempDir()
    await loadAndRun(cacheDir, first)
    const entries = readdirSync(cacheDir)
    expect(entries).toHaveLength(2)
    for (const entry of entries) {
      rmSync(join(cacheDir, entry))
      mkdirSync(join(cacheDir, entry))
    }
    logs.length = 0
    expect(await loadAndRun(cacheDir, first)).toEqual([{ ok: true }, { ok: true, stdout: '42' }])
    expect(warnings()).toEqual([expect.stringMatching(new RegExp(`^Transpile cache ${cacheDir} cannot be used \\(EISDIR: illegal operation on a directory, read\\): jobs load without it`))])
  })

  it.skipIf(!canMountTmpfs)('a full disk (ENOSPC, a real tmpfs: root only): the jobs load without the cache, and it is said once', async () => {
    const cacheDir = join(tempDir(), 'jiti')
    mountTmpfs(cacheDir, 4)
    writeFileSync(join(cacheDir, 'filler'), Buffer.alloc(4096))
    expect(await loadAndRun(cacheDir)).toEqual([{ ok: true }, { ok: true, stdout: '42' }])
    expect(warnings()).toEqual([`Transpile cache ${cacheDir} cannot be used (ENOSPC: no space left on device, write): jobs load without it; free disk space, or fix or remove that dir`])
  })
})

describe('the daemon on a full disk', () => {
  it.skipIf(!canMountTmpfs)('runs every job on every commit when only the transpile cache cannot be written (a real ENOSPC: root only)', async () => {
    const repo = createProject({
      'jobs/canary.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
      'jobs/healthy.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n',
    })
    const cacheDir = join(repo, '.git/gitvan/cache/jiti')
    mountTmpfs(cacheDir, 4)
    writeFileSync(join(cacheDir, 'filler'), Buffer.alloc(4096))
    const events = await runOnce(repo)
    expect(events.filter(event => event.type === 'broken')).toEqual([])
    const commits = sh(repo, 'rev-list', 'HEAD').split('\n')
    expect(runLines(events).sort()).toEqual(commits.flatMap(sha => [`canary ${sha.slice(0, 7)} ok`, `healthy ${sha.slice(0, 7)} ok`]).sort())
    expect(warnings()).toEqual([`Transpile cache ${cacheDir} cannot be used (ENOSPC: no space left on device, write): jobs load without it; free disk space, or fix or remove that dir`])
  })
})
