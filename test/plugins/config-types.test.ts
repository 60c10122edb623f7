import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan, projectRoot } from '../utils/cli'
import { createProject } from '../utils/project'

const tsc = (cwd: string) => spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd, encoding: 'utf8' })

const config = (body: string) => `import { defineGitVanConfig } from 'gitvan'

export default defineGitVanConfig({
  plugins: ['gitvan-plugin-notify'],
${body}
})
`

describe('typed config keys (declaration merging)', () => {
  it('`gitvan prepare` types gitvan.config.ts with its plugins\' keys: a misspelt plugin option or top-level key is a type error', { timeout: 60_000 }, async () => {
    const repo = createProject({
      'tsconfig.json': JSON.stringify({ extends: './.gitvan/tsconfig.json' }),
      'gitvan.config.ts': config(`  notify: { file: 'log/notify.log', prefix: '[ci]' },\n  daemon: { lookback: 5 },`),
      // A local plugin types its own key the same way.
      'plugins/team.ts': `export interface TeamOptions { owner: string }
declare module 'gitvan' {
  interface GitVanConfig { team?: Partial<TeamOptions> }
}
export default defineGitVanPlugin<TeamOptions>({ meta: { name: 'team', configKey: 'team' }, defaults: gitvan => ({ owner: gitvan.repo.root }) })
`,
    })
    mkdirSync(join(repo, 'node_modules'))
    mkdirSync(join(repo, 'typos'))
    symlinkSync(join(projectRoot, 'playground/packages/gitvan-plugin-notify'), join(repo, 'node_modules/gitvan-plugin-notify'), 'dir')

    const prepare = await gitvan(['prepare'], { cwd: repo })
    expect(prepare.stderr).toBe('')
    expect(readFileSync(join(repo, '.gitvan/types/plugins.d.ts'), 'utf8')).toContain('/// <reference types="gitvan-plugin-notify" />')
    const ok = tsc(repo)
    expect(ok.stdout).toBe('')
    expect(ok.status).toBe(0)

    // Every mistake in its own config file, checked in one more tsc run: each must be an error in its file.
    const typos: Record<string, [body: string, ...mentions: string[]]> = {
      'plugin-option': [`  notify: { prefx: '[ci]' },`, '\'prefx\' does not exist', 'Partial<NotifyOptions>'],
      'plugin-option-type': [`  notify: { prefix: 3 },`, 'Type \'number\' is not assignable to type \'string\''],
      'top-level': [`  notfy: { prefix: '[ci]' },`, '\'notfy\' does not exist in type \'GitVanConfig\''],
      'nested': [`  daemon: { lokback: 5 },`, '\'lokback\' does not exist'],
      'local-plugin-option': [`  team: { ownr: 'me' },`, '\'ownr\' does not exist', 'Partial<TeamOptions>'],
    }
    for (const [name, [body]] of Object.entries(typos)) writeFileSync(join(repo, `typos/${name}.ts`), config(body))
    writeFileSync(join(repo, 'tsconfig.typos.json'), JSON.stringify({ extends: './tsconfig.json', include: ['.gitvan/types/**/*.d.ts', 'plugins/**/*', 'typos/*.ts'] }))
    const errors = spawnSync(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.typos.json'], { cwd: repo, encoding: 'utf8' }).stdout
    for (const [name, [, ...mentions]] of Object.entries(typos)) {
      const inFile = errors.split(/\n(?=\S)/).filter(error => error.startsWith(`typos/${name}.ts(`)).join('\n')
      expect(inFile, name).toMatch(/error TS/)
      for (const text of mentions) expect(inFile, name).toContain(text)
    }
  })
})
