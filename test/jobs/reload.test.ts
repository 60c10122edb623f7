import { writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createGitVan } from '../../src/app/create'
import { createProject } from '../utils/project'

const job = (body: string) => `export default defineJob({ run: () => ${body} })\n`

describe('app.reloadModules(files)', () => {
  it('drops the changed files and what imports them, nothing else; the rest comes back from the module cache', async () => {
    const repo = createProject({
      'jobs/uses-lib.ts': `import { word } from './_lib'\n${job('({ ok: true, meta: { word } })')}`,
      'jobs/uses-composable.ts': job('({ ok: true, meta: { word: useWord() } })'),
      'jobs/alone.ts': job('({ ok: true })'),
      'jobs/_lib.ts': "export const word = 'one'\n",
      'composables/word.ts': "export const useWord = () => 'one'\n",
    })
    const app = await createGitVan({ cwd: repo })
    const path = (file: string) => join(repo, file)
    const word = async (id: string) => (await app.runJob(id)).result.meta?.word
    const alone = (await app.loadJob('alone')).run
    expect([await word('uses-lib'), await word('uses-composable')]).toEqual(['one', 'one'])

    writeFileSync(path('jobs/_lib.ts'), "export const word = 'two'\n")
    expect(await app.reloadModules([path('jobs/_lib.ts')])).toEqual(new Set([path('jobs/_lib.ts'), path('jobs/uses-lib.ts')]))
    expect(await word('uses-lib')).toBe('two')
    expect((await app.loadJob('alone')).run).toBe(alone)

    // A composable whose exports stay the same: the jobs using it, through their injected imports.
    writeFileSync(path('composables/word.ts'), "export const useWord = () => 'two'\n")
    expect(await app.reloadModules([path('composables/word.ts')])).toEqual(new Set([path('composables/word.ts'), path('jobs/uses-composable.ts')]))
    expect(await word('uses-composable')).toBe('two')
    expect((await app.loadJob('alone')).run).toBe(alone)

    // A new export may be used by any file: every module goes.
    writeFileSync(path('composables/word.ts'), "export const useWord = () => 'three'\nexport const useOther = () => 1\n")
    expect(await app.reloadModules([path('composables/word.ts')])).toBe('all')
    expect(await word('uses-composable')).toBe('three')
    expect((await app.loadJob('alone')).run).not.toBe(alone)
    await app.close()
  })

  it('a loaded module importing what cannot be followed (`import(name)`) makes every change reload all', async () => {
    const repo = createProject({
      'jobs/dynamic.ts': `const name = './_lib.ts'\n${job('import(name).then(lib => ({ ok: true, meta: { word: lib.word } }))')}`,
      'jobs/_lib.ts': "export const word = 'one'\n",
    })
    const app = await createGitVan({ cwd: repo })
    expect((await app.runJob('dynamic')).result.meta?.word).toBe('one')
    writeFileSync(join(repo, 'jobs/_lib.ts'), "export const word = 'two'\n")
    expect(await app.reloadModules([join(repo, 'jobs/_lib.ts')])).toBe('all')
    expect((await app.runJob('dynamic')).result.meta?.word).toBe('two')
    await app.close()
  })
})
