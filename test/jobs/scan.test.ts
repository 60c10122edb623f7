import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { jobIdFromPath, scanJobs } from '../../src/jobs/scan'
import { tempDir } from '../utils/repo'

function touch(dir: string, files: string[]): void {
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), 'export default defineJob({ run() {} })\n')
  }
}

describe('jobIdFromPath', () => {
  it.each([
    ['hello.ts', 'hello'],
    ['docs/changelog.ts', 'docs:changelog'],
    ['db/index.ts', 'db'],
    ['a/b/c.mjs', 'a:b:c'],
    ['x.mts', 'x'],
    ['y.js', 'y'],
    ['index.ts', null],
    ['_private.ts', null],
    ['docs/_helpers/x.ts', null],
    ['.hidden/x.ts', null],
    ['x.test.ts', null],
    ['x.spec.mjs', null],
    ['types.d.ts', null],
    ['notes.md', null],
    ['script.cjs', null],
  ])('%s -> %s', (path, id) => {
    expect(jobIdFromPath(path)).toBe(id)
  })
})

describe('scanJobs', () => {
  it('finds jobs recursively, sorted by id, and skips what is not a job', async () => {
    const dir = tempDir()
    touch(dir, ['b.ts', 'docs/changelog.ts', 'db/index.ts', '_shared.ts', 'docs/x.test.ts', 'node_modules/p/index.js', '.cache/z.ts', 'README.md'])
    const jobs = await scanJobs([dir])
    expect(jobs.map(job => [job.id, job.file])).toEqual([
      ['b', join(dir, 'b.ts')],
      ['db', join(dir, 'db/index.ts')],
      ['docs:changelog', join(dir, 'docs/changelog.ts')],
    ])
  })

  it('a missing jobs dir means no jobs', async () => {
    expect(await scanJobs([join(tempDir(), 'nope')])).toEqual([])
  })

  it('two files mapping to one id is an error naming both', async () => {
    const dir = tempDir()
    touch(dir, ['db.ts', 'db/index.ts'])
    await expect(scanJobs([dir])).rejects.toThrow(`Job id "db" is defined twice: ${join(dir, 'db.ts')} and ${join(dir, 'db/index.ts')}`)
  })

  it('the first dir wins across dirs (project over plugins)', async () => {
    const project = tempDir()
    const plugin = tempDir()
    touch(project, ['a.ts'])
    touch(plugin, ['a.ts', 'b.ts'])
    const jobs = await scanJobs([project, plugin])
    expect(jobs.map(job => [job.id, job.dir])).toEqual([['a', project], ['b', plugin]])
  })
})
