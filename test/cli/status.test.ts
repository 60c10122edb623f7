import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { killDaemons, startDaemon, waitExit, waitFor } from '../daemon/fixtures/daemon'
import { gitvan } from '../utils/cli'
import { createProject } from '../utils/project'
import { commitFiles } from '../utils/repo'

afterEach(killDaemons)

describe('gitvan status', () => {
  it('says whether a daemon runs now, what it runs and what is pending, from its heartbeat; and the banner says what it serves', async () => {
    const repo = createProject({
      '.gitignore': '.gitvan/\nrelease\nstarted\n',
      'gitvan.config.mjs': 'export default { locks: { ttl: 1500 }, daemon: { pollInterval: 200 } }\n',
      'jobs/slow.ts': `import { existsSync, writeFileSync } from 'node:fs'
export default defineJob({ on: { commit: { message: '^slow' } }, timeout: 60000, async run({ ctx }) {
  writeFileSync(ctx.root + '/started', '')
  while (!existsSync(ctx.root + '/release')) await new Promise(resolve => setTimeout(resolve, 50))
} })\n`,
      'jobs/broken.ts': 'export default defineJob({ on: { commit: true }, run() { return 1 +* 2 } })\n',
    })
    const before = JSON.parse((await gitvan(['status', '--json'], { cwd: repo })).stdout)
    expect(before).toMatchObject({ running: false, runners: [] })

    const daemon = startDaemon(repo)
    const slow = commitFiles(repo, { s: '1' }, 'slow work')
    await waitFor('the slow run to start', () => existsSync(join(repo, 'started')), { watch: [daemon] })
    const start = daemon.lines.find(line => line.type === 'start')!
    expect(start).toMatchObject({ mode: 'daemon', root: repo, jobs: ['slow'], broken: ['broken'], worktrees: ['main'] })

    // The heartbeat (a lease renewal every third of the ttl) reports the run.
    const status = await waitFor('a heartbeat naming the run', async () => {
      const report = JSON.parse((await gitvan(['status', '--json'], { cwd: repo })).stdout)
      return report.runners[0]?.running.includes(`slow ${slow}`) ? report : undefined
    }, { watch: [daemon], interval: 300 })
    expect(status).toMatchObject({ running: true, runners: [{ live: true, owner: start.runner, claimed: 1 }] })
    expect(Date.now() - status.runners[0].reportedAt).toBeLessThan(60_000)
    const text = (await gitvan(['status'], { cwd: repo })).stdout
    expect(text).toContain(`running  ${start.runner}`)
    expect(text).toContain(`running: slow ${slow.slice(0, 7)}`)

    writeFileSync(join(repo, 'release'), '')
    daemon.signal('SIGTERM')
    expect((await waitExit(daemon)).code).toBe(0)
    const after = await gitvan(['status'], { cwd: repo })
    expect(after.stdout).toContain('No daemon is running on this repository')
    expect(after.stdout).toMatch(/^main +[0-9a-f]{7} {2}up to date$/m)
  }, 90_000)
})
