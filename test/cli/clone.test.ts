import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../utils/cli'
import { writeFiles } from '../utils/files'
import { sh, tempDir, testEnv } from '../utils/repo'

/**
 * What a teammate does: clone a project that uses GitVan, install, type-check. GitVan comes from a tarball made by
 * `npm pack`, as it would from the registry. To install offline, the project's committed package-lock.json is
 * GitVan's own lock for GitVan's dependencies, and the clone installs with `npm ci`, which installs the lock as it is
 * (npm takes every package from its cache); `npm install` would resolve again, which needs the registry.
 */
let tarball = ''

const run = (cwd: string, command: string, args: string[]) => spawnSync(command, args, { cwd, env: { ...testEnv, NO_COLOR: '1' }, encoding: 'utf8' })
const tsc = (cwd: string) => run(cwd, process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'])
const npm = (cwd: string, ...args: string[]) => {
  const result = run(cwd, 'npm', [...args, '--offline', '--no-audit', '--no-fund'])
  expect({ args, status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ args, status: 0, stderr: '' })
  return result
}

/** A project with GitVan (the tarball) as a dev dependency and its lockfile, committed; `files` on top. */
function project(files: Record<string, string>): string {
  const dir = tempDir()
  sh(dir, 'init', '-q', '-b', 'main')
  const gitvan = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'))
  const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8'))
  const spec = `file:${tarball}`
  const packages: Record<string, unknown> = {
    '': { name: 'teammate', devDependencies: { gitvan: spec } },
    'node_modules/gitvan': {
      version: gitvan.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dev: true,
      license: gitvan.license,
      dependencies: gitvan.dependencies,
      bin: gitvan.bin,
      engines: gitvan.engines,
    },
  }
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean; link?: boolean }>)) {
    if (path.startsWith('node_modules/') && !entry.dev && !entry.link) packages[path] = { ...entry, dev: true }
  }
  writeFiles(dir, {
    'package.json': `${JSON.stringify({ name: 'teammate', private: true, devDependencies: { gitvan: spec } }, null, 2)}\n`,
    'package-lock.json': `${JSON.stringify({ name: 'teammate', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
    '.gitignore': 'node_modules/\n',
    ...files,
  })
  npm(dir, 'ci')
  return dir
}

/** Commit everything, clone it elsewhere: the clone has what Git has, no node_modules, no `.gitvan/`. */
function commitAndClone(dir: string): string {
  sh(dir, 'add', '-A')
  sh(dir, 'commit', '-q', '-m', 'set up gitvan')
  const clone = join(tempDir(), 'clone')
  sh(dir, 'clone', '-q', dir, clone)
  return clone
}

const gitvanBin = (dir: string, ...args: string[]) => run(dir, join(dir, 'node_modules/.bin/gitvan'), args)

describe('a fresh clone of a project that uses GitVan', () => {
  beforeAll(() => {
    const dir = tempDir()
    const packed = run(projectRoot, 'npm', ['pack', '--pack-destination', dir])
    expect(packed.stderr.includes('npm error') ? packed.stderr : '').toBe('')
    tarball = join(dir, readdirSync(dir).find(name => name.endsWith('.tgz'))!)
  }, 240_000)

  it('made by `gitvan init`: the install writes the types (its prepare script), then tsc passes', () => {
    const dir = project({})
    const init = gitvanBin(dir, 'init')
    expect(init.status).toBe(0)
    expect(init.stdout).toContain('added "prepare": "gitvan prepare" to package.json')
    const clone = commitAndClone(dir)
    expect(existsSync(join(clone, '.gitvan'))).toBe(false)
    // Before the install the generated tsconfig is missing, which is why the install must write it.
    expect(tsc(clone).status).not.toBe(0)
    npm(clone, 'ci')
    expect(existsSync(join(clone, '.gitvan/types/jobs.d.ts'))).toBe(true)
    const checked = tsc(clone)
    expect(checked.stdout).toBe('')
    expect(checked.status).toBe(0)
  }, 120_000)

  it('a TypeScript project whose tsconfig includes only src: the line init prints is all it takes', () => {
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true }, include: ['src'] }
    const dir = project({ 'tsconfig.json': JSON.stringify(tsconfig), 'src/index.ts': 'export const answer: number = 42\n' })
    const init = gitvanBin(dir, 'init')
    const tip = 'tip: tsconfig.json includes only "src", so jobs are not type-checked: add ".gitvan/types/**/*.d.ts", "jobs" to its "include"'
    expect(init.stdout.split('\n')).toContain(tip)
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src', '.gitvan/types/**/*.d.ts', 'jobs'] }))
    const clone = commitAndClone(dir)
    npm(clone, 'ci')
    const checked = tsc(clone)
    expect(checked.stdout).toBe('')
    expect(checked.status).toBe(0)
    // The jobs are type-checked now, with their auto-imports: a misspelled composable is caught.
    writeFileSync(join(clone, 'jobs/typo.ts'), 'export default defineJob({ run() { useGti() } })\n')
    expect(tsc(clone).stdout).toContain("jobs/typo.ts(1,36): error TS2552: Cannot find name 'useGti'. Did you mean 'useGit'?")
  }, 120_000)
})
