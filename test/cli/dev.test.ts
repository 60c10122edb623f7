import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { short, startDaemon } from '../utils/daemon'
import { createProject } from '../utils/project'
import { commitFiles, sh } from '../utils/repo'

const FAST = 'export default { daemon: { pollInterval: 300 } }\n'
// The job records what it ran with in a file named after the commit, so a test can see which version ran.
const job = (expression: string) => `export default defineJob({ on: { commit: true }, async run({ ctx }) { await useGit().writeFile('out/' + ctx.head, String(${expression})) } })\n`

describe('gitvan dev', () => {
  it('hot reloads composables and jobs, keeps the last good version of a broken job, restarts on config changes', async () => {
    const repo = createProject({ 'gitvan.config.mjs': FAST, '.gitignore': 'out/\n.gitvan/\n', 'composables/word.ts': "export const useWord = () => 'one'\n", 'jobs/say.ts': job('useWord()') })
    const dev = startDaemon(repo, [], 'dev')
    const reloads = () => dev.events.filter(event => event.type === 'reload').length
    const ran = (sha: string) => existsSync(join(repo, 'out', sha)) ? readFileSync(join(repo, 'out', sha), 'utf8') : undefined
    await dev.until(events => events.filter(event => event.type === 'run').length === 2)
    expect(readFileSync(join(repo, '.gitvan/types/jobs.d.ts'), 'utf8')).toContain('"say": true')

    writeFileSync(join(repo, 'composables/word.ts'), "export const useWord = () => 'two'\n")
    await dev.until(() => reloads() === 1)
    const first = commitFiles(repo, { a: '1' }, 'after the composable changed')
    await dev.until(() => ran(first) !== undefined)
    expect(ran(first)).toBe('two')

    writeFileSync(join(repo, 'jobs/say.ts'), job("useWord() + '!'"))
    await dev.until(() => reloads() === 2)
    writeFileSync(join(repo, 'jobs/new.ts'), 'export default defineJob({ run: () => {} })\n')
    await dev.until(() => reloads() === 3)
    expect(readFileSync(join(repo, '.gitvan/types/jobs.d.ts'), 'utf8')).toContain('"new": true')

    writeFileSync(join(repo, 'jobs/say.ts'), 'export default defineJob({\n  run() { return 1 +* }\n})\n')
    await dev.until(events => events.some(event => event.type === 'broken' && event.job === 'say'))
    const broken = dev.events.find(event => event.type === 'broken' && event.job === 'say')!
    expect(broken.message).toMatch(/^jobs\/say\.ts:2:\d+: .*its last good version stays active/)
    const second = commitFiles(repo, { b: '1' }, 'while say.ts is broken')
    await dev.until(() => ran(second) !== undefined)
    expect(ran(second)).toBe('two!')

    writeFileSync(join(repo, 'gitvan.config.mjs'), 'export default { daemon: { pollInterval: 400 } }\n')
    await dev.until(events => events.some(event => event.type === 'reload' && event.config === true))
    expect(await dev.stop()).toBe(0)
  }, 90_000)

  it('a job written again as soon as it was reloaded ends with its last version (chokidar reports one change per 50 ms)', async () => {
    const repo = createProject({ 'gitvan.config.mjs': FAST, '.gitignore': 'out/\n.gitvan/\n', 'jobs/say.ts': job("'v0'") })
    const dev = startDaemon(repo, [], 'dev')
    const reloads = () => dev.events.filter(event => event.type === 'reload').length
    await dev.until(events => events.some(event => event.type === 'run'))
    for (let version = 1; version <= 5; version++) {
      const before = reloads()
      writeFileSync(join(repo, 'jobs/say.ts'), job(`'v${version}'`))
      while (reloads() === before) {
        if (dev.child.exitCode !== null) throw new Error(dev.stderr())
        await new Promise(resolve => setTimeout(resolve, 2))
      }
    }
    const sha = commitFiles(repo, { a: '1' }, 'after the rewrites')
    await dev.until(() => existsSync(join(repo, 'out', sha)))
    expect(readFileSync(join(repo, 'out', sha), 'utf8')).toBe('v5')
    expect(await dev.stop()).toBe(0)
  }, 90_000)

  it('a changed local plugin restarts the app with its new code, not the one loaded before', async () => {
    const plugin = (version: string) => `import { writeFileSync } from 'node:fs'\nexport default defineGitVanPlugin({ meta: { name: 'p' }, setup(_options, app) { app.hook('dev:reload', () => writeFileSync('out.txt', '${version}')) } })\n`
    const repo = createProject({ 'gitvan.config.mjs': FAST, '.gitignore': 'out.txt\n.gitvan/\n', 'plugins/p.ts': plugin('v1'), 'jobs/a.ts': 'export default defineJob({ run: () => {} })\n' })
    const dev = startDaemon(repo, [], 'dev')
    await dev.until(events => events.some(event => event.type === 'start'))
    writeFileSync(join(repo, 'plugins/p.ts'), plugin('v2'))
    await dev.until(events => events.some(event => event.type === 'reload' && event.config === true))
    expect(readFileSync(join(repo, 'out.txt'), 'utf8')).toBe('v2')
    expect(await dev.stop()).toBe(0)
  }, 60_000)

  it('text mode: each reload names the files that changed, relative to the root; branch runs name their branch', async () => {
    const repo = createProject({
      'gitvan.config.mjs': FAST,
      '.gitignore': '.gitvan/\n',
      'jobs/hello.ts': 'export default defineJob({ run: () => {} })\n',
      'jobs/feature.ts': "export default defineJob({ on: { branch: 'feature/*' }, run: () => {} })\n",
    })
    const dev = startDaemon(repo, [], 'dev', { text: true })
    await dev.until(() => dev.output().includes('watching jobs'))
    writeFileSync(join(repo, 'jobs/hello.ts'), 'export default defineJob({ run: () => ({ ok: true }) })\n')
    await dev.until(() => /reloaded after jobs\/hello\.ts changed: 2 job\(s\) in \d+ms/.test(dev.output()))
    writeFileSync(join(repo, 'gitvan.config.mjs'), 'export default { daemon: { pollInterval: 400 } }\n')
    await dev.until(() => /restarted after gitvan\.config\.mjs changed \(config or plugins\): 2 job\(s\)/.test(dev.output()))
    sh(repo, 'branch', 'feature/x')
    await dev.until(() => new RegExp(`feature ${short(repo, 'HEAD')} \\(branch feature/x\\) ok`).test(dev.output()))
    expect(await dev.stop()).toBe(0)
  })
})
