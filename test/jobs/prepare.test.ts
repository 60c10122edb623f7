import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan, projectRoot } from '../utils/cli'
import { createProject } from '../utils/project'

const tsc = (cwd: string) => spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd, encoding: 'utf8' })

describe('gitvan prepare', () => {
  it('writes types so that tsc passes on jobs, and fails on a misspelled composable, job id, exec type or missing step field', async () => {
    const repo = createProject({
      'tsconfig.json': JSON.stringify({ extends: './.gitvan/tsconfig.json' }),
      'composables/answer.ts': 'export const useAnswer = (): number => 42\n',
      'jobs/docs/changelog.ts': "export default defineJob({ meta: { desc: 'c' }, async run() { const n: number = useAnswer(); await useJob().run('docs:changelog'); return { ok: n > 0 } } })\n",
      // Steps: a known job id and complete specs pass.
      'jobs/steps.ts': "export default defineJob({ steps: [{ exec: 'job', job: 'docs:changelog' }, { exec: 'cli', cmd: 'echo' }, { exec: 'llm', template: 'x.njk' }] })\n",
    })
    const { code, stdout } = await gitvan(['prepare'], { cwd: repo })
    expect(code).toBe(0)
    expect(stdout).toContain('wrote .gitvan/types/imports.d.ts')
    expect(readFileSync(join(repo, '.gitvan/types/jobs.d.ts'), 'utf8')).toContain('"docs:changelog": true')
    const ok = tsc(repo)
    expect(ok.stdout).toBe('')
    expect(ok.status).toBe(0)

    // One tsc run for all the mistakes (tsc is slow): each file must have its own error.
    const bad: [string, string][] = [
      ['export default defineJob({ run() { useGti() } })', "Cannot find name 'useGti'"],
      ["export default defineJob({ run: () => useJob().run('docs:changelgo') })", 'docs:changelgo'],
      ["export default defineJob({ steps: [{ exec: 'job', job: 'docs:changelgo' }] })", `Type '{ exec: "job"; job: "docs:changelgo"; }' is not assignable`],
      ["export default defineJob({ steps: [{ exec: 'shell', cmd: 'echo' }] })", `Type '"shell"' is not assignable`],
      ["export default defineJob({ steps: [{ exec: 'cli', args: ['x'] }] })", `Type '{ exec: "cli"; args: string[]; }' is not assignable`],
      ["export default defineJob({ steps: [{ exec: 'llm', prompt: 'a', template: 'b' }] })", `Type '{ exec: "llm"; prompt: string; template: string; }' is not assignable`],
      ["export default defineJob({ steps: [{ exec: 'llm' }] })", `Type '{ exec: "llm"; }' is not assignable`],
    ]
    bad.forEach(([source], i) => writeFileSync(join(repo, `jobs/bad${i}.ts`), `${source}\n`))
    const failed = tsc(repo)
    expect(failed.status).not.toBe(0)
    const errorsOf = (i: number) => failed.stdout.split('\n').filter(line => line.startsWith(`jobs/bad${i}.ts(`)).join('\n')
    expect(bad.map(([source, error], i) => ({ source, found: errorsOf(i).includes(error) || errorsOf(i) }))).toEqual(bad.map(([source]) => ({ source, found: true })))
  }, 120_000)
})
