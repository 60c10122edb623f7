import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'pathe'
import { afterAll } from 'vitest'

const created: string[] = []
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

/** A temporary directory removed after the test file. */
export function tempDir(prefix = 'gitvan-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  created.push(dir)
  return dir
}

/** Run real git in `cwd` with a fixed identity; returns trimmed stdout. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
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
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true })
    writeFileSync(join(repo, path), content)
  }
  sh(repo, 'add', '-A')
  const env = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: repo, env: { ...GIT_ENV, ...env }, stdio: 'ignore' })
  return sh(repo, 'rev-parse', 'HEAD')
}

/** Environment for child processes (CLI, daemon) so their commits have an identity. */
export const testEnv = GIT_ENV
