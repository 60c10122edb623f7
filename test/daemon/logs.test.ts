import { describe, expect, it } from 'vitest'
import { gitvan } from '../utils/cli'
import { allReceipts } from '../utils/daemon'
import { createProject } from '../utils/project'

// Two jobs that print in turns while both run (the daemon runs up to 4 at once): each log must hold only its own lines.
const talker = (name: string) => `export default defineJob({
  on: { commit: true },
  async run({ ctx }) {
    for (let i = 0; i < 5; i++) {
      console.log('${name} says', i)
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    ctx.logger.warn('${name} warns with ' + process.env.DEPLOY_KEY)
    console.error('${name} fails')
    return { ok: false, error: '${name} failed with ' + process.env.DEPLOY_KEY }
  },
})
`

describe('the daemon and run logs', () => {
  it('labels job output with the job id, keeps each run\'s log apart, and quotes stderr in failures', async () => {
    const repo = createProject({
      'gitvan.config.mjs': "export default { logs: { secrets: ['DEPLOY_KEY'] } }\n",
      'jobs/left.ts': talker('left'),
      'jobs/right.ts': talker('right'),
      'jobs/build.ts': "export default defineJob({ on: { commit: true }, steps: [{ exec: 'cli', cmd: 'sh', args: ['-c', 'echo compiling; echo boom >&2; exit 3'], name: 'compile' }] })\n",
    })
    const { code, stdout, stderr } = await gitvan(['daemon', '--once', '--json'], { cwd: repo, env: { DEPLOY_KEY: 'k3y-v4lue' } })
    // The build job fails: --once says so with its exit code.
    expect(code).toBe(1)
    const output = stdout + stderr
    const events = stdout.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line))
    for (const name of ['left', 'right']) {
      for (let i = 0; i < 5; i++) expect(stdout).toContain(`[${name}] ${name} says ${i}\n`)
      expect(stderr).toContain(`[${name}] ${name} fails\n`)
      expect(output).toMatch(new RegExp(`\\[${name}\\].*${name} warns with \\[redacted\\]`))
    }
    expect(output).not.toContain('k3y-v4lue')
    // The daemon's report of a failed run names the step and ends with what it printed last on stderr.
    const failed = events.filter(event => event.type === 'run' && event.job === 'build')
    expect(failed.map(event => event.error)).toEqual(Array.from({ length: 2 }, () => 'step compile failed: "sh" exited with code 3: boom'))

    const receipts = allReceipts(repo)
    // Two commits (the project's), three jobs each.
    expect(receipts.map(receipt => receipt.job).sort()).toEqual(['build', 'build', 'left', 'left', 'right', 'right'])
    expect(receipts.every(receipt => /^[0-9a-f]{40}$/.test(receipt.log))).toBe(true)
    expect(receipts.find(receipt => receipt.job === 'left')!.error).toBe('left failed with [redacted]')
    for (const name of ['left', 'right']) {
      const { runs } = JSON.parse((await gitvan(['show', name, '--json'], { cwd: repo })).stdout)
      expect(runs[0].log.log.entries.map(({ t: _t, ...line }: any) => line)).toEqual([
        ...[0, 1, 2, 3, 4].map(i => ({ out: `${name} says ${i}` })),
        { err: `${name} warns with [redacted]` },
        { err: `${name} fails` },
      ])
    }
    const build = (await gitvan(['show', 'build'], { cwd: repo })).stdout
    expect(build).toMatch(/\nstep compile\n {2}\+\d+\.\d{3}s {7}compiling\n {2}\+\d+\.\d{3}s {2}err {2}boom\n$/)
  })
})
