import { readFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { okRuns, short } from '../utils/daemon'
import { createProject } from '../utils/project'
import { commitFiles, sh } from '../utils/repo'

const job = (on: string) => `export default defineJob({ on: ${on}, run: () => ({ ok: true }) })\n`
const once = (repo: string, ...args: string[]) => gitvan(['daemon', '--once', '--json', ...args], { cwd: repo })

describe('gitvan daemon --once: commit filters', () => {
  it('runs each matching (job, commit) once, with branch, path, message, author and conventional filters', async () => {
    const repo = createProject({
      'jobs/all.ts': job('{ commit: true }'),
      'jobs/main-only.ts': job("{ commit: { branches: 'main' } }"),
      'jobs/src.ts': job("{ commit: { paths: 'src/**' } }"),
      'jobs/added-docs.ts': job("{ commit: { paths: { added: 'docs/*.md' } } }"),
      'jobs/fixes.ts': job("{ commit: { message: '^fix' } }"),
      'jobs/api-feats.ts': job("{ commit: { type: 'feat', scope: 'api' } }"),
      'jobs/by-bob.ts': job("{ commit: { author: 'bob@*' } }"),
    })
    const seeds = sh(repo, 'rev-list', 'HEAD').split('\n')
    const c1 = commitFiles(repo, { 'src/a.ts': '1' }, 'feat(api): add a')
    const c2 = commitFiles(repo, { 'docs/guide.md': '#' }, 'fix: docs typo')
    sh(repo, 'checkout', '-q', '-b', 'feature')
    const c3 = commitFiles(repo, { 'src/b.ts': '1' }, 'feat(ui): add b')
    sh(repo, 'checkout', '-q', 'main')
    sh(repo, 'commit', '-q', '--allow-empty', '--author', 'Bob <bob@example.com>', '-m', 'chore: by bob')
    const c4 = sh(repo, 'rev-parse', 'HEAD')

    const { code, stdout } = await once(repo)
    expect(code).toBe(0)
    const s = (sha: string) => sha.slice(0, 7)
    expect(okRuns(repo)).toEqual([
      ...[...seeds, c1, c2, c3, c4].map(c => `all@${s(c)}`),
      `added-docs@${s(c2)}`,
      `api-feats@${s(c1)}`,
      `by-bob@${s(c4)}`,
      `fixes@${s(c2)}`,
      ...[...seeds, c1, c2, c4].map(c => `main-only@${s(c)}`),
      `src@${s(c1)}`,
      `src@${s(c3)}`,
    ].sort())
    const lines = stdout.trim().split('\n').map(line => JSON.parse(line))
    // A loaded machine may add warnings (a lease renewal retried); every run is ok, and there is nothing else.
    const runs = lines.filter(line => line.type === 'run')
    expect(runs).toHaveLength(okRuns(repo).length)
    expect(runs.every(line => line.status === 'ok' && typeof line.durationMs === 'number')).toBe(true)
    expect(lines.filter(line => line.type !== 'run' && line.type !== 'warn' && line.type !== 'start')).toEqual([])

    // Nothing new: a second pass runs nothing.
    const again = await once(repo)
    expect(again.code).toBe(0)
    // Only the start line: what it serves, and no run.
    expect(again.stdout.trim().split('\n').map(line => JSON.parse(line).type)).toEqual(['start'])
  })

  it('only the last --lookback commits of a branch never seen', async () => {
    const repo = createProject({ 'jobs/all.ts': job('{ commit: true }') })
    for (let i = 0; i < 5; i++) commitFiles(repo, { f: String(i) }, `c${i}`)
    await once(repo, '--lookback', '2')
    expect(okRuns(repo)).toEqual([`all@${short(repo, 'HEAD~1')}`, `all@${short(repo, 'HEAD')}`].sort())
  })

  it('bad flags are one-line errors', async () => {
    const repo = createProject({})
    for (const [args, message] of [[['--lookback', '0'], '--lookback must be a whole number of 1 or more, got "0"'], [['--worktrees', 'some'], '--worktrees must be "current" or "all"'], [['restart'], 'Unknown daemon action "restart"']] as const) {
      const { code, stderr } = await gitvan(['daemon', ...args], { cwd: repo })
      expect(code).toBe(1)
      expect(stderr.trim()).toContain(message)
    }
  })
})

describe('tags, branches and merges', () => {
  it('fires on.tag once for tags that appear after the first start, with semver', async () => {
    const repo = createProject({ 'jobs/release.ts': job("{ tag: 'v*' }"), 'jobs/semver.ts': job('{ tag: { semver: true } }') })
    sh(repo, 'tag', 'v0.1.0')
    await once(repo)
    expect(okRuns(repo)).toEqual([])
    sh(repo, 'tag', 'v1.0.0')
    sh(repo, 'tag', '-a', '-m', 'annotated', 'v1.1.0-rc.1')
    sh(repo, 'tag', 'latest')
    await once(repo)
    const head = short(repo, 'HEAD')
    expect(okRuns(repo)).toEqual([`release@${head}`, `release@${head}`, `semver@${head}`, `semver@${head}`])
    await once(repo)
    expect(okRuns(repo)).toHaveLength(4)
  })

  it('a tag run\'s now() is its commit\'s time', async () => {
    const repo = createProject({ 'jobs/stamp.ts': "export default defineJob({ on: { tag: 'v*' }, async run({ ctx }) { await useGit().writeFile('stamp.txt', ctx.now().toISOString()) } })\n" })
    await once(repo)
    commitFiles(repo, { f: '1' }, 'to be tagged', '2021-03-04T05:06:07Z')
    sh(repo, 'tag', '-a', '-m', 'release', 'v2.0.0')
    await once(repo)
    expect(readFileSync(join(repo, 'stamp.txt'), 'utf8')).toBe('2021-03-04T05:06:07.000Z')
  })

  it('fires on.branch once when a matching branch appears', async () => {
    const repo = createProject({ 'jobs/preview.ts': job("{ branch: 'feature/*' }") })
    sh(repo, 'branch', 'feature/old')
    await once(repo)
    sh(repo, 'branch', 'feature/new')
    sh(repo, 'branch', 'other')
    await once(repo)
    await once(repo)
    expect(okRuns(repo)).toEqual([`preview@${short(repo, 'HEAD')}`])
  })

  it('a merge is one commit of the branch it lands on; its paths are its changes against the first parent', async () => {
    const repo = createProject({ 'jobs/merged.ts': job("{ commit: { merge: { into: 'main' }, paths: 'lib/**' } }"), 'jobs/on-main.ts': job("{ commit: { branches: 'main' } }") })
    await once(repo)
    sh(repo, 'checkout', '-q', '-b', 'topic')
    commitFiles(repo, { 'lib/x.ts': '1' }, 'topic work 1')
    commitFiles(repo, { 'lib/y.ts': '1' }, 'topic work 2')
    sh(repo, 'checkout', '-q', 'main')
    commitFiles(repo, { 'other.txt': '1' }, 'main work')
    sh(repo, 'merge', '-q', '--no-ff', '-m', 'Merge topic', 'topic')
    sh(repo, 'branch', '-D', 'topic')
    await once(repo)
    const merge = short(repo, 'HEAD')
    expect(okRuns(repo).filter(run => run.startsWith('merged@'))).toEqual([`merged@${merge}`])
    // The two seed commits, "main work" and the merge: the topic commits reached main through the merge.
    expect(okRuns(repo).filter(run => run.startsWith('on-main@'))).toHaveLength(4)
  })
})

describe('history rewrites', () => {
  it('after a reset and new commits, the new commits run and the dropped ones are not revisited', async () => {
    const repo = createProject({ 'jobs/all.ts': job('{ commit: true }') })
    commitFiles(repo, { f: '1' }, 'one')
    const dropped = commitFiles(repo, { f: '2' }, 'two')
    await once(repo)
    sh(repo, 'reset', '-q', '--hard', 'HEAD~1')
    const replacement = commitFiles(repo, { f: '2b' }, 'two, rewritten')
    const { code } = await once(repo)
    expect(code).toBe(0)
    const runs = okRuns(repo)
    expect(runs).toContain(`all@${dropped.slice(0, 7)}`)
    expect(runs.filter(run => run === `all@${replacement.slice(0, 7)}`)).toHaveLength(1)
    // Two seed commits, "one", "two" (run before the reset) and its replacement.
    expect(runs).toHaveLength(5)
  })
})

describe('receipts that are not receipts', () => {
  it('a corrupted receipt line is reported once and skipped; nothing else is lost', async () => {
    const repo = createProject({ 'jobs/all.ts': job('{ commit: true }') })
    commitFiles(repo, { f: '1' }, 'one')
    await gitvan(['run', 'all'], { cwd: repo })
    sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'append', '-m', '{not json', 'HEAD')
    commitFiles(repo, { f: '2' }, 'two')
    const { code, stdout } = await once(repo)
    expect(code).toBe(0)
    expect(stdout.split('\n').filter(line => line.includes('not a GitVan receipt'))).toHaveLength(1)
    // The two seeds and "two" by the daemon; "one" only once: its manual receipt already settles it.
    expect(okRuns(repo)).toHaveLength(4)
    expect(okRuns(repo).filter(run => run === `all@${short(repo, 'HEAD~1')}`)).toHaveLength(1)
    expect(sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'show', 'HEAD~1')).toContain('{not json')
  })
})
