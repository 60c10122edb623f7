/**
 * The README's main command: seed a scratch repository from this playground, make a few commits, let the
 * daemon process them (and a tag) through the real CLI, and print the receipts GitVan left in Git notes.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { join } from 'pathe'

const here = fileURLToPath(new URL('.', import.meta.url))
const projectRoot = join(here, '..')
const identity = { GIT_AUTHOR_NAME: 'GitVan Demo', GIT_AUTHOR_EMAIL: 'demo@gitvan.dev', GIT_COMMITTER_NAME: 'GitVan Demo', GIT_COMMITTER_EMAIL: 'demo@gitvan.dev' }
const env = { ...process.env, ...identity, NO_COLOR: '1' }

const scratch = mkdtempSync(join(tmpdir(), 'gitvan-playground-'))
const git = (...args: string[]) => execFileSync('git', args, { cwd: scratch, env, encoding: 'utf8' }).trim()
const gitvan = (...args: string[]) => {
  console.log(`\n$ gitvan ${args.join(' ')}`)
  try {
    process.stdout.write(execFileSync(process.execPath, [join(projectRoot, 'node_modules/jiti/lib/jiti-cli.mjs'), join(projectRoot, 'src/cli/bin.ts'), ...args], { cwd: scratch, env, encoding: 'utf8' }))
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; status?: number }
    process.stdout.write(failed.stdout ?? '')
    process.stderr.write(failed.stderr ?? '')
    throw new Error(`gitvan ${args.join(' ')} exited with ${failed.status}`)
  }
}
const commit = (files: Record<string, string>, message: string) => {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(scratch, file, '..'), { recursive: true })
    writeFileSync(join(scratch, file), content)
  }
  git('add', '-A')
  git('commit', '-q', '-m', message)
  console.log(`committed ${git('rev-parse', '--short', 'HEAD')} ${message}`)
}

try {
  console.log(`Scratch repository: ${scratch}`)
  cpSync(here, scratch, { recursive: true, filter: source => !source.endsWith('demo.ts') && source !== join(here, 'packages') })
  // The config lists the example plugin by package name: link it as `npm install <folder>` would (offline, instant).
  mkdirSync(join(scratch, 'node_modules'))
  symlinkSync(join(here, 'packages/gitvan-plugin-notify'), join(scratch, 'node_modules/gitvan-plugin-notify'), 'dir')
  writeFileSync(join(scratch, '.gitignore'), 'node_modules/\n.gitvan/\n')
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'chore: seed from the GitVan playground')
  commit({ 'src/api.ts': 'export const api = 1\n' }, 'feat(api): add the api module')
  commit({ 'src/api.ts': 'export const api = 2\n' }, 'fix(api): off-by-one in api')

  gitvan('list')
  // The daemon's first start processes the recent commits of every branch, once, then exits (--once).
  gitvan('daemon', '--once')
  // A tag that appears after that fires the jobs with `on.tag` (release:notes), once.
  git('tag', 'v1.0.0')
  console.log('\ntagged v1.0.0')
  gitvan('daemon', '--once')
  // Scheduled jobs run on their cron slots under `gitvan daemon`; any job also runs by hand.
  gitvan('run', 'hello')
  gitvan('log', '--limit', '12')

  // Written by the notify plugin (its exec type and useNotify()) and by the local plugin plugins/run-log.ts.
  for (const log of ['.gitvan/notifications.log', '.gitvan/runs.log']) console.log(`\n${log}:\n${readFileSync(join(scratch, log), 'utf8').trimEnd()}`)

  console.log('\nThe receipts are Git notes on refs/notes/gitvan/results, e.g. on HEAD:')
  console.log(git('notes', '--ref', 'refs/notes/gitvan/results', 'show', 'HEAD').split('\n')[0])
} finally {
  if (!process.env.GITVAN_KEEP) rmSync(scratch, { recursive: true, force: true })
}
