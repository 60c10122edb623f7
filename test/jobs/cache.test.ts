import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'pathe'
import { afterAll, describe, expect, it } from 'vitest'
import { transpileCacheDir } from '../../src/jobs/loader'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { sh } from '../utils/repo'

const JOB = { 'jobs/hello.ts': 'export default defineJob({ run: (): { ok: boolean } => ({ ok: true }) })\n' }
const outside: string[] = []
afterAll(() => outside.forEach(dir => rmSync(dir, { recursive: true, force: true })))

describe('the transpile cache', () => {
  it('never lands in the tracked area of a repository where `gitvan init` did not run', async () => {
    const repo = createProject(JOB)
    const cache = transpileCacheDir(repo)
    outside.push(join(cache, '..'))
    expect((await gitvan(['run', 'hello'], { cwd: repo })).code).toBe(0)
    expect(sh(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(cache.startsWith(repo)).toBe(false)
    expect(readdirSync(cache).length).toBeGreaterThan(0)
  })

  it('goes to node_modules/.cache/gitvan when the project has node_modules', async () => {
    const repo = createProject({ ...JOB, '.gitignore': 'node_modules\n' })
    mkdirSync(join(repo, 'node_modules'))
    expect((await gitvan(['run', 'hello'], { cwd: repo })).code).toBe(0)
    expect(transpileCacheDir(repo)).toBe(join(repo, 'node_modules/.cache/gitvan/jiti'))
    expect(readdirSync(join(repo, 'node_modules/.cache/gitvan/jiti')).length).toBeGreaterThan(0)
    expect(existsSync(join(repo, '.gitvan'))).toBe(false)
    expect(sh(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('')
  })
})
