import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'pathe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gitvan, projectRoot } from '../utils/cli'
import { createProject } from '../utils/project'

const pluginDir = join(projectRoot, 'playground/packages/gitvan-plugin-notify')
const posts: string[] = []
const server = createServer((request, response) => {
  let body = ''
  request.on('data', chunk => (body += chunk))
  request.on('end', () => {
    posts.push(`${request.method} ${request.url} ${request.headers['content-type']}: ${body}`)
    response.end('thanks')
  })
})
beforeAll(() => new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve)))
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

describe('the example plugin gitvan-plugin-notify', () => {
  it('installs from its folder with npm, registers by name, and its exec type and composable work from jobs', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    const root = createProject({
      'package.json': '{ "name": "notify-test", "private": true, "type": "module" }\n',
      'gitvan.config.ts': 'export default { plugins: [\'gitvan-plugin-notify\'], notify: { prefix: \'[test]\' } }\n',
      'jobs/composable.ts': 'export default defineJob({ run: () => useNotify().send(\'from useNotify\', { file: \'out/composable.log\' }) })\n',
      'jobs/announce.ts': `export default defineJob({
  steps: [
    { exec: 'notify', message: 'default file' },
    { exec: 'notify', message: 'posted', url: ${JSON.stringify(url)} },
    { exec: 'job', job: 'composable' },
    { exec: 'notify', message: '', continueOnError: true },
    { exec: 'notify', message: 'escape', file: '../escape.log', continueOnError: true },
    { exec: 'notify', message: 'remote', url: 'https://example.com/hook', continueOnError: true },
    { exec: 'notify', message: 'other scheme', url: 'localhost:1', continueOnError: true },
    { exec: 'notify', message: 'bad url', url: 'not a url', continueOnError: true },
  ],
})
`,
    })
    // Offline and fast: a folder dependency is a symlink, and the optional peer dependency on gitvan is not fetched.
    execFileSync('npm', ['install', pluginDir, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'pipe' })

    const { code, stdout } = await gitvan(['run', 'announce', '--json'], { cwd: root })
    expect(code).toBe(0)
    const steps = JSON.parse(stdout).result.meta.steps
    expect(steps.map((step: { ok: boolean; artifact?: string; stdout?: string; error?: string }) => [step.ok, step.artifact ?? step.stdout ?? step.error])).toEqual([
      [true, '.gitvan/notify.log'],
      [true, 'thanks'],
      [true, 'out/composable.log'],
      [false, 'notify: `message` must be a non-empty string, got ""'],
      [false, `Refusing notify file "../escape.log": it escapes the repository root ${root}, use a path inside it`],
      [false, 'notify: url "https://example.com/hook" is not local: only http://localhost, 127.0.0.1 or [::1] URLs are allowed'],
      [false, 'notify: url "localhost:1" is not local: only http://localhost, 127.0.0.1 or [::1] URLs are allowed'],
      [false, 'notify: url "not a url" is not a URL: use e.g. http://localhost:8080/hook'],
    ])
    expect(readFileSync(join(root, '.gitvan/notify.log'), 'utf8')).toBe('[test] default file\n')
    expect(readFileSync(join(root, 'out/composable.log'), 'utf8')).toBe('[test] from useNotify\n')
    expect(posts).toEqual(['POST /hook text/plain; charset=utf-8: [test] posted'])
  })
})
