import { describe, expect, it } from 'vitest'
import { join } from 'pathe'
import { gitvan } from '../utils/cli'
import { allReceipts } from '../utils/daemon'
import { createProject } from '../utils/project'
import { commitFiles, sh, tempDir } from '../utils/repo'

const SECRET = 's3cr3t-npm-t0ken'

// 60 000 lines of ~60 bytes (3.5 MB) on stdout, the secret in each, then, once node has handed all of it to the
// pipe, a failure on stderr: it can overtake at most what the pipe holds, so it lands in the kept tail.
const UNIT_TESTS = `const token = process.env.NPM_TOKEN
for (let i = 0; i < 60000; i++) console.log(\`line \${i} token=\${token} \${'x'.repeat(30)}\`)
process.stdout.write('', () => {
  console.error('    at Object.<anonymous> (test/unit.js:3:9)')
  console.error('AssertionError: expected 1 to be 2')
  process.exitCode = 1
})
`

function flakyProject(): string {
  return createProject({
    'gitvan.config.mjs': "export default { env: ['PATH', 'NPM_TOKEN'], logs: { secrets: ['NPM_TOKEN'] } }\n",
    'scripts/unit.js': UNIT_TESTS,
    'jobs/flaky.ts': `export default defineJob({
  steps: [
    { exec: 'cli', cmd: 'echo', args: ['installing'], name: 'setup' },
    { exec: 'cli', cmd: 'node', args: ['scripts/unit.js'], name: 'unit tests' },
  ],
})
`,
  })
}

const env = { NPM_TOKEN: SECRET }

describe('gitvan show: a failing run with 3 MB of output', () => {
  it('prints the capped, redacted log by step; a clone fetching GitVan\'s refs shows the same; gc keeps it; prune removes it and keeps the receipt', async () => {
    const repo = flakyProject()
    const run = await gitvan(['run', 'flaky'], { cwd: repo, env })
    expect(run.code).toBe(1)
    const [receipt] = allReceipts(repo)
    // The error names the failing step and ends with the last lines of its stderr; the receipt holds no secret.
    expect(receipt.error).toBe('step unit tests failed: "node" exited with code 1: at Object.<anonymous> (test/unit.js:3:9) | AssertionError: expected 1 to be 2')
    expect(receipt.log).toMatch(/^[0-9a-f]{40}$/)
    expect(JSON.stringify(allReceipts(repo))).not.toContain(SECRET)

    const shown = await gitvan(['show', 'flaky'], { cwd: repo })
    expect(shown.code).toBe(0)
    const lines = shown.stdout.split('\n')
    expect(lines.slice(0, 6)).toEqual([
      `run 1 of 1  flaky on ${receipt.sha.slice(0, 7)}, manual`,
      `status      error after ${receipt.durationMs}ms`,
      `started     ${receipt.startedAt} on ${receipt.host} (pid ${receipt.pid}), worktree main`,
      `error       ${receipt.error}`,
      expect.stringMatching(new RegExp(`^log         ${receipt.log} \\(1\\.\\d MiB\\)$`)),
      '',
    ])
    expect(lines[6]).toBe('step setup')
    expect(lines[7]).toMatch(/^ {2}\+\d+\.\d{3}s {7}installing$/)
    expect(lines[8]).toBe('step unit tests')
    expect(lines[9]).toMatch(/ {7}line 0 token=\[redacted\] x{30}$/)
    // Head and tail kept (half a MiB each by default), one marker saying how much was cut between them.
    const cut = lines.findIndex(line => line.includes(' cut …'))
    expect(lines[cut]).toMatch(/^ {2}\+\d+\.\d{3}s {6}… \d+ lines \(2\.\d MiB\) cut …$/)
    const head = Number(/line (\d+) /.exec(lines[cut - 1]!)![1])
    const tail = Number(/line (\d+) /.exec(lines[cut + 1]!)![1])
    expect(head).toBeGreaterThan(5000)
    expect(Number(/… (\d+) lines/.exec(lines[cut]!)![1])).toBe(tail - head - 1)
    // The tail ends with the last lines of both streams, stderr marked. Lines are in the order they arrived: the two
    // pipes are not ordered against each other.
    expect(lines.slice(-2000).filter(line => / {7}line 59999 token=\[redacted\] x{30}$/.test(line))).toHaveLength(1)
    expect(lines.slice(-2000).filter(line => / err {2}/.test(line)).map(line => line.replace(/^ {2}\+\d+\.\d{3}s {2}err {2}/, ''))).toEqual([
      '    at Object.<anonymous> (test/unit.js:3:9)',
      'AssertionError: expected 1 to be 2',
    ])
    expect(lines.at(-1)).toBe('')
    expect(shown.stdout).not.toContain(SECRET)
    expect(shown.stdout.length).toBeLessThan(1.3 * 1024 * 1024)

    const json = JSON.parse((await gitvan(['show', 'flaky', 'HEAD', '--json'], { cwd: repo })).stdout)
    expect(json).toMatchObject({ job: 'flaky', sha: receipt.sha, runs: [{ receipt, log: { status: 'kept', oid: receipt.log } }] })
    expect(json.runs[0].log.log.entries.filter((entry: any) => entry.cut)).toHaveLength(1)

    // A clone brings the receipts and the logs along with GitVan's refspecs; before the logs come, it says so.
    const clone = join(tempDir(), 'clone')
    sh(repo, 'clone', '-q', repo, clone)
    sh(clone, 'fetch', '-q', 'origin', 'refs/notes/gitvan/results:refs/notes/gitvan/results')
    const notFetched = await gitvan(['show', 'flaky'], { cwd: clone })
    expect(notFetched.stdout).toContain(`log         ${receipt.log} is not in refs/gitvan/logs: pruned (gitvan prune), or not fetched here (git fetch origin +refs/gitvan/logs:refs/gitvan/logs)\n`)
    sh(clone, 'fetch', '-q', 'origin', '+refs/gitvan/logs:refs/gitvan/logs')
    expect((await gitvan(['show', 'flaky'], { cwd: clone })).stdout).toBe(shown.stdout)

    // Reachable from a ref: gc keeps it.
    sh(repo, 'gc', '--quiet', '--prune=now')
    expect((await gitvan(['show', 'flaky'], { cwd: repo })).stdout).toBe(shown.stdout)

    const pruned = await gitvan(['prune', '--logs-older-than', '0s'], { cwd: repo })
    expect(pruned.code).toBe(0)
    expect(pruned.stdout).toMatch(/^Removed the logs of 1 run\(s\), 1\.\d MiB, started before \S+ \(\d{4}-\d{2}-\d{2}\/\d{2}\/\d{6}\.\d{3}-[0-9a-f]{40}\) from refs\/gitvan\/logs; receipts kept\.\n/)
    const after = await gitvan(['show', 'flaky'], { cwd: repo })
    expect(after.code).toBe(0)
    expect(after.stdout).toContain(`error       ${receipt.error}\n`)
    expect(after.stdout).toContain(`log         ${receipt.log} is not in refs/gitvan/logs`)
    expect(allReceipts(repo)).toEqual([receipt])
    sh(repo, 'gc', '--quiet', '--prune=now')
    expect(() => sh(repo, 'cat-file', '-e', receipt.log)).toThrow()

    // The clone follows the prune with the forced refspec, and still has its receipts.
    sh(clone, 'fetch', '-q', 'origin', '+refs/gitvan/logs:refs/gitvan/logs')
    expect((await gitvan(['show', 'flaky'], { cwd: clone })).stdout).toBe(after.stdout)
  })
})

describe('gitvan show: runs and bad input', () => {
  it('lists every run of the job on the commit, oldest first, a run without output saying so', async () => {
    const repo = createProject({
      'jobs/quiet.ts': 'export default defineJob({ run: () => ({ ok: true }) })\n',
      'jobs/chatty.ts': "export default defineJob({ async run({ ctx }) { console.log('from console'); ctx.logger.warn('from the logger'); await useExec().run('echo', ['from a command']) } })\n",
    })
    const first = sh(repo, 'rev-parse', 'HEAD')
    await gitvan(['run', 'quiet'], { cwd: repo })
    await gitvan(['run', 'quiet'], { cwd: repo })
    await gitvan(['run', 'chatty'], { cwd: repo })
    commitFiles(repo, {}, 'second')
    const quiet = await gitvan(['show', 'quiet', 'HEAD~1'], { cwd: repo })
    expect(quiet.stdout.match(/^run \d of 2 {2}quiet on \w{7}, manual$/gm)).toHaveLength(2)
    expect(quiet.stdout.match(/^log {9}none: the run wrote no output$/gm)).toHaveLength(2)
    const [a, b] = JSON.parse((await gitvan(['show', 'quiet', first, '--json'], { cwd: repo })).stdout).runs
    expect(a.receipt.startedAt <= b.receipt.startedAt).toBe(true)
    expect(a.log).toEqual({ status: 'none' })
    const chatty = await gitvan(['show', 'chatty', first], { cwd: repo })
    expect(chatty.stdout).toMatch(/\n {2}\+\d+\.\d{3}s {7}from console\n {2}\+\d+\.\d{3}s {2}err {2}from the logger\n {2}\+\d+\.\d{3}s {7}from a command\n$/)
  })

  it('fails with one line for a commit without receipts of the job, naming what to run', async () => {
    const repo = createProject({ 'jobs/quiet.ts': 'export default defineJob({ run: () => ({ ok: true }) })\n' })
    const result = await gitvan(['show', 'quiet'], { cwd: repo })
    expect(result).toEqual({ code: 1, stdout: '', stderr: `gitvan: No receipts of quiet on ${sh(repo, 'rev-parse', '--short=7', 'HEAD')} (HEAD): run it with \`gitvan run quiet\` or see \`gitvan log --job 'quiet'\`\n` })
  })

  it.each([
    [['show', 'quiet', 'nope'], 'gitvan: "nope" is not a commit in REPO: give a revision such as HEAD, HEAD~2, a sha, a tag or a branch'],
    [['show', 'ghost'], 'gitvan: No receipts of ghost on SHA (HEAD): receipts there are for quiet'],
  ])('gitvan %j fails with one line', async (args, message) => {
    const repo = createProject({ 'jobs/quiet.ts': 'export default defineJob({ run: () => ({ ok: true }) })\n' })
    await gitvan(['run', 'quiet'], { cwd: repo })
    const result = await gitvan(args, { cwd: repo })
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${message.replace('REPO', repo).replace('SHA', sh(repo, 'rev-parse', '--short=7', 'HEAD'))}\n` })
  })
})
