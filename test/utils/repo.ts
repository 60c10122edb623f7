import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'pathe'
import { afterAll } from 'vitest'
import { testEnv, writeFiles } from './files'

const created: string[] = []
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A temporary directory removed after the test file. */
export function tempDir(prefix = 'gitvan-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  created.push(dir)
  return dir
}

/** Run real git in `cwd` with a fixed identity; returns trimmed stdout. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: testEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** A new repository on branch `main`, optionally with a first commit. */
export function createRepo(options: { commit?: boolean; dir?: string } = {}): string {
  const dir = options.dir ?? tempDir()
  mkdirSync(dir, { recursive: true })
  sh(dir, 'init', '-q', '-b', 'main')
  if (options.commit !== false) commitFiles(dir, { 'README.md': '# test\n' }, 'initial commit')
  return dir
}

/** Write files (relative paths) and commit them; returns the new commit's sha. */
export function commitFiles(repo: string, files: Record<string, string>, message: string, date?: string): string {
  writeFiles(repo, files)
  sh(repo, 'add', '-A')
  const env = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: repo, env: { ...testEnv, ...env }, stdio: 'ignore' })
  return sh(repo, 'rev-parse', 'HEAD')
}

export {testEnv} from './files'
