import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { createRepo, sh, tempDir } from '../utils/repo'

describe('gitvan info / --version / --help', () => {
  it('prints the version', async () => {
    const { code, stdout } = await gitvan(['--version'], { cwd: tempDir() })
    expect(code).toBe(0)
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('info --json describes the repository', async () => {
    const repo = createRepo()
    const { code, stdout } = await gitvan(['info', '--json'], { cwd: repo })
    expect(code).toBe(0)
    const info = JSON.parse(stdout)
    expect(info).toMatchObject({ root: repo, worktree: 'main', head: sh(repo, 'rev-parse', 'HEAD'), branch: 'main', configFile: null, jobsDir: `${repo}/jobs` })
  })

  it('info in an empty repository and on a detached HEAD', async () => {
    const empty = createRepo({ commit: false })
    expect(JSON.parse((await gitvan(['info', '--json'], { cwd: empty })).stdout)).toMatchObject({ head: null, branch: 'main' })
    const repo = createRepo()
    sh(repo, 'checkout', '-q', '--detach')
    const { stdout } = await gitvan(['info'], { cwd: repo })
    expect(stdout).toMatch(/branch\s+\(detached\)/)
  })

  it('info in a linked worktree names it by its admin dir (git turns the space into -)', async () => {
    const repo = createRepo()
    const wt = `${tempDir()}/feature wt`
    sh(repo, 'worktree', 'add', '-q', '-b', 'feature', wt)
    const info = JSON.parse((await gitvan(['info', '--json', '--cwd', wt], { cwd: repo })).stdout)
    expect(info).toMatchObject({ root: wt, worktree: 'feature-wt', branch: 'feature' })
  })

  it('outside a repository: one-line error, exit 1', async () => {
    const { code, stderr } = await gitvan(['info'], { cwd: tempDir() })
    expect(code).toBe(1)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/is not inside a git repository: run `git init` there/)
  })

  it('in a bare repository: one-line error, exit 1', async () => {
    const bare = tempDir()
    sh(bare, 'init', '-q', '--bare')
    const { code, stderr } = await gitvan(['info'], { cwd: bare })
    expect(code).toBe(1)
    expect(stderr).toMatch(/is a bare repository/)
  })

  it('unknown command: usage hint, exit 1', async () => {
    const { code, stderr } = await gitvan(['frobnicate'], { cwd: tempDir() })
    expect(code).toBe(1)
    expect(stderr).toContain('Unknown command frobnicate')
  })

  it('--help lists the commands, exit 0', async () => {
    const { code, stdout } = await gitvan(['--help'], { cwd: tempDir() })
    expect(code).toBe(0)
    expect(stdout).toContain('info')
    expect(stdout).toContain('run')
  })
})
