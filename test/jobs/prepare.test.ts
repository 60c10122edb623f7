import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan, projectRoot } from '../utils/cli'
import { createProject } from '../utils/project'

const tsc = (cwd: string) => spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd, encoding: 'utf8' })

describe('gitvan prepare', () => {
  it('writes types so that tsc passes on jobs, and fails on a misspelled composable or job id', async () => {
    const repo = createProject({
      'tsconfig.json': JSON.stringify({ extends: './.gitvan/tsconfig.json' }),
      'composables/answer.ts': 'export const useAnswer = (): number => 42\n',
      'jobs/docs/changelog.ts': "export default defineJob({ meta: { desc: 'c' }, async run() { const n: number = useAnswer(); await useJob().run('docs:changelog'); return { ok: n > 0 } } })\n",
    })
    const { code, stdout } = await gitvan(['prepare'], { cwd: repo })
    expect(code).toBe(0)
    expect(stdout).toContain('wrote .gitvan/types/imports.d.ts')
    expect(readFileSync(join(repo, '.gitvan/types/jobs.d.ts'), 'utf8')).toContain('"docs:changelog": true')
    const ok = tsc(repo)
    expect(ok.stdout).toBe('')
    expect(ok.status).toBe(0)

    writeFileSync(join(repo, 'jobs/typo.ts'), 'export default defineJob({ run() { useGti() } })\n')
    const typo = tsc(repo)
    expect(typo.status).not.toBe(0)
    expect(typo.stdout).toContain("Cannot find name 'useGti'")

    writeFileSync(join(repo, 'jobs/typo.ts'), "export default defineJob({ run: () => useJob().run('docs:changelgo') })\n")
    const badId = tsc(repo)
    expect(badId.status).not.toBe(0)
    expect(badId.stdout).toContain('docs:changelgo')
  }, 120_000)
})
