import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createRepo, sh, tempDir } from '../utils/repo'

const FILES = ['gitvan.config.ts', 'jobs/hello.ts', 'templates/hello.njk', '.gitignore', 'tsconfig.json']
const read = (root: string) => Object.fromEntries(FILES.map(file => [file, readFileSync(join(root, file), 'utf8')]))

describe('gitvan init', () => {
  it('in a new dir: git init, config, job, template, .gitignore, tsconfig, types; then `run hello` and `list` work; a second run leaves everything alone', async () => {
    const parent = tempDir()
    const first = await gitvan(['init', 'new/project'], { cwd: parent })
    const root = join(parent, 'new/project')
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout.trim().split('\n')).toEqual([
      `initialized a git repository in ${root}`,
      'wrote gitvan.config.ts',
      'wrote jobs/hello.ts',
      'wrote templates/hello.njk',
      'wrote .gitignore',
      'wrote tsconfig.json',
      'generated .gitvan/types and .gitvan/tsconfig.json (as `gitvan prepare` does)',
      'next: gitvan run hello',
    ])
    expect(sh(root, 'rev-parse', '--show-toplevel')).toBe(root)
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('.gitvan/\n')
    expect(existsSync(join(root, '.gitvan/types/jobs.d.ts'))).toBe(true)
    const before = read(root)

    const again = await gitvan(['init'], { cwd: join(root, 'jobs') })
    expect(again.code).toBe(0)
    expect(again.stdout.trim().split('\n')).toEqual([
      'left gitvan.config.ts alone (it exists)',
      'left jobs/hello.ts alone (it exists)',
      'left templates/hello.njk alone (it exists)',
      'left .gitignore alone (it ignores .gitvan/ already)',
      'left tsconfig.json alone (it exists)',
      'generated .gitvan/types and .gitvan/tsconfig.json (as `gitvan prepare` does)',
      'next: gitvan run hello',
    ])
    expect(read(root)).toEqual(before)

    const run = await gitvan(['run', 'hello', '--payload', '{"name":"Ada"}'], { cwd: root })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Hello Ada, from GitVan on \S+\.\nhello ok in/)
    const list = await gitvan(['list', '--json'], { cwd: root })
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 'hello', kind: 'atomic', desc: 'Say hello through templates/hello.njk' }])
  })

  it('in an existing repository: appends to .gitignore, keeps existing files, adds a prepare script to package.json, follows the config\'s dirs', async () => {
    const root = createRepo()
    const pkg = '{ "name": "existing", "private": true }\n'
    writeFileSync(join(root, '.gitignore'), 'node_modules')
    writeFileSync(join(root, 'package.json'), pkg)
    writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n')
    writeFileSync(join(root, 'gitvan.config.mjs'), 'export default { jobsDir: \'automation\' }\n')
    const { code, stdout } = await gitvan(['init'], { cwd: root })
    expect(code).toBe(0)
    expect(stdout.trim().split('\n')).toEqual([
      'left gitvan.config.mjs alone (it exists)',
      'wrote automation/hello.ts',
      'wrote templates/hello.njk',
      'added .gitvan/ to .gitignore',
      'left tsconfig.json alone (it exists)',
      'tip: tsconfig.json has no "include", so it does not see the generated types: add "include": ["**/*", ".gitvan/types/**/*.d.ts"] (or "extends": "./.gitvan/tsconfig.json" if it is only for jobs)',
      'added "prepare": "gitvan prepare" to package.json (npm install writes the types in a fresh clone)',
      'generated .gitvan/types and .gitvan/tsconfig.json (as `gitvan prepare` does)',
      'next: gitvan run hello',
    ])
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('node_modules\n.gitvan/\n')
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe('{\n  "name": "existing",\n  "private": true,\n  "scripts": {\n    "prepare": "gitvan prepare"\n  }\n}\n')
    expect(existsSync(join(root, 'gitvan.config.ts'))).toBe(false)
    expect((await gitvan(['run', 'hello'], { cwd: root })).stdout).toMatch(/^Hello world, from GitVan on main\./)
  })

  it('in a TypeScript project: says exactly what its tsconfig lacks; leaves an existing prepare script to its owner', async () => {
    const root = createRepo()
    writeFileSync(join(root, 'package.json'), '{\n  "name": "app",\n  "scripts": { "prepare": "husky" }\n}\n')
    writeFileSync(join(root, 'tsconfig.json'), '{\n  // the app\n  "compilerOptions": { "strict": true },\n  "include": ["src"],\n}\n')
    const first = await gitvan(['init'], { cwd: root })
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('tip: tsconfig.json includes only "src", so jobs are not type-checked: add ".gitvan/types/**/*.d.ts", "jobs" to its "include"\n')
    expect(first.stdout).toContain('tip: package.json has a prepare script already: make it "husky && gitvan prepare" so that npm install writes the types\n')
    // Doing what it says silences it.
    writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "strict": true }, "include": ["src", ".gitvan/types/**/*.d.ts", "jobs"] }\n')
    writeFileSync(join(root, 'package.json'), '{ "name": "app", "scripts": { "prepare": "husky && gitvan prepare" } }\n')
    const again = await gitvan(['init'], { cwd: root })
    expect(again.stdout).not.toContain('tip:')
    expect(again.stdout).toContain('left package.json alone (its prepare script runs gitvan prepare)')
  })

  it('refuses a file as the dir, and a directory outside any repository without a dir argument', async () => {
    const parent = tempDir()
    writeFileSync(join(parent, 'file'), 'x')
    const onFile = await gitvan(['init', 'file'], { cwd: parent })
    expect(onFile.code).toBe(1)
    expect(onFile.stderr.trim()).toBe(`gitvan: Cannot set up GitVan in ${parent}/file: it is a file, not a directory; pass a directory (created if missing)`)
    const outside = await gitvan(['init'], { cwd: parent })
    expect(outside.code).toBe(1)
    expect(outside.stderr.trim()).toBe(`gitvan: ${parent} is not inside a git repository: run \`git init\` there, or run GitVan from a repository`)
  })
})
