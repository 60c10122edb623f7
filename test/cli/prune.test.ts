import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { sh } from '../utils/repo'

const project = () => createProject({ 'jobs/chatty.ts': "export default defineJob({ run() { console.log('hello') } })\n" })

describe('gitvan prune', () => {
  it('says when there is nothing to prune, and writes nothing', async () => {
    const repo = project()
    const empty = await gitvan(['prune', '--logs-older-than', '30d'], { cwd: repo })
    expect(empty.code).toBe(0)
    expect(empty.stdout).toMatch(/^No logs of runs started before \S+Z in refs\/gitvan\/logs: nothing to prune\.\n$/)
    await gitvan(['run', 'chatty'], { cwd: repo })
    const tip = sh(repo, 'rev-parse', 'refs/gitvan/logs')
    expect((await gitvan(['prune', '--logs-older-than', '2w'], { cwd: repo })).stdout).toContain('nothing to prune')
    expect(sh(repo, 'rev-parse', 'refs/gitvan/logs')).toBe(tip)
  })

  it('reports what it removed as JSON', async () => {
    const repo = project()
    await gitvan(['run', 'chatty'], { cwd: repo })
    const { code, stdout } = await gitvan(['prune', '--logs-older-than', '0s', '--json'], { cwd: repo })
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ runs: 1, bytes: expect.any(Number), paths: [expect.stringMatching(/^\d{4}-\d{2}-\d{2}\/\d{2}\/\d{6}\.\d{3}-[0-9a-f]{40}$/)] })
    expect(Date.parse(report.before)).toBeGreaterThan(0)
    expect(sh(repo, 'ls-tree', 'refs/gitvan/logs')).toBe('')
    expect(sh(repo, 'notes', '--ref', 'refs/notes/gitvan/results', 'show', 'HEAD')).toContain('"job":"chatty"')
  })

  it.each([
    [[], 'Say what to prune: --logs-older-than <duration>, e.g. `gitvan prune --logs-older-than 30d`'],
    [['--logs-older-than', '30 days'], '--logs-older-than takes a duration such as 30d, 12h, 90m or 2w, got "30 days"'],
    [['--logs-older-than', '-1d'], '--logs-older-than takes a duration such as 30d, 12h, 90m or 2w, got "-1d"'],
  ])('gitvan prune %j fails with one line and removes nothing', async (args, message) => {
    const repo = project()
    await gitvan(['run', 'chatty'], { cwd: repo })
    const tip = sh(repo, 'rev-parse', 'refs/gitvan/logs')
    expect(await gitvan(['prune', ...args], { cwd: repo })).toEqual({ code: 1, stdout: '', stderr: `gitvan: ${message}\n` })
    expect(sh(repo, 'rev-parse', 'refs/gitvan/logs')).toBe(tip)
  })
})
