import { existsSync, readdirSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { sh } from '../utils/repo'

describe('the transpile cache', () => {
  it('lives in the git dir: never in the tracked area, even where `gitvan init` did not run', async () => {
    const repo = createProject({ 'jobs/hello.ts': 'export default defineJob({ run: (): { ok: boolean } => ({ ok: true }) })\n' })
    expect((await gitvan(['run', 'hello'], { cwd: repo })).code).toBe(0)
    expect(sh(repo, 'status', '--porcelain', '--untracked-files=all', '--ignored')).toBe('')
    expect(existsSync(join(repo, '.gitvan'))).toBe(false)
    expect(readdirSync(join(repo, '.git/gitvan/cache/jiti')).length).toBeGreaterThan(0)
  })
})
