import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { afterEach, describe, expect, it } from 'vitest'
import { HOST_TAG, recordInFlight } from '../../src/utils/journal'
import { tempFilesJournal } from '../../src/utils/fs'
import { createProject } from '../utils/project'
import { commitFiles, sh, tempDir } from '../utils/repo'
import { type DaemonProcess, killDaemons, startDaemon, waitExit, waitFor } from './fixtures/daemon'
import { readAllReceipts } from './fixtures/repo'

// Issue 10, items 9 and 10, and "cleanup on start": what a killed GitVan leaves in the worktree (a half-written temp
// file, git's index.lock) is removed by the next daemon start, said once, and only what GitVan can prove its own.

/** Process groups of git commands a test started through a daemon and kills itself. */
const groups: number[] = []
afterEach(async () => {
  for (const group of groups.splice(0)) {
    try {
      process.kill(-group, 'SIGKILL')
    } catch {
      // Gone already, as it should be.
    }
  }
  await killDaemons()
})

const CONFIG = 'export default { locks: { ttl: 2000 }, daemon: { pollInterval: 100, lookback: 10 } }\n'
const HEALTHY = 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n'
const IDENTITY = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' }

/** Running means present and not a zombie (the container's init may never reap killed orphans). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The healthy job has one ok receipt on every commit of HEAD. */
function expectHealthyEverywhere(repo: string): void {
  const healthy = readAllReceipts(repo).filter(receipt => receipt.job === 'healthy')
  for (const sha of sh(repo, 'rev-list', 'HEAD').split('\n')) expect(healthy.filter(receipt => receipt.sha === sha).map(receipt => receipt.status), sha).toEqual(['ok'])
}

const warnings = (daemon: DaemonProcess) => daemon.lines.filter(line => line.type === 'warn').map(line => line.message!)

describe('cleanup on start', () => {
  it('a temp file of useGit().writeFile killed mid-write is removed on the next start, and said; others\' temp files stay', async () => {
    const repo = createProject({
      'gitvan.config.mjs': CONFIG,
      '.gitignore': '.gitvan/\nout/\n',
      'jobs/healthy.ts': HEALTHY,
      'jobs/big.ts': 'export default defineJob({ on: { commit: { message: \'^big\' } }, async run() {\n  await useGit().writeFile(\'out/big.bin\', \'x\'.repeat(256 * 1024 * 1024))\n} })\n',
    })
    commitFiles(repo, { a: '1' }, 'big file please')
    const out = join(repo, 'out')
    const temp = /^big\.bin\.gitvan-(\d+)-([0-9a-f]{8})-[0-9a-f]{12}\.tmp$/
    const first = startDaemon(repo)
    const name = await waitFor('the temp file of the big write', () => existsSync(out) && readdirSync(out).find(file => temp.test(file)), { interval: 5, watch: [first] })
    first.signal('SIGSTOP')
    // Stopped mid-write: the temp file is still there, the file not renamed yet (256 MB take a while to write).
    expect(readdirSync(out)).toEqual([name])
    await first.kill()
    expect(temp.exec(name)!.slice(1)).toEqual([String(first.pid), HOST_TAG])

    // Not GitVan's to remove: a file only named like a temp file, and the temp file of a live process.
    const lookalike = join(out, `other.gitvan-1-${HOST_TAG}-000000000000.tmp`)
    writeFileSync(lookalike, 'mine\n')
    const live = join(out, `live.bin.gitvan-${process.pid}-${HOST_TAG}-111111111111.tmp`)
    writeFileSync(live, 'half\n')
    const release = await recordInFlight(tempFilesJournal(join(repo, '.git')), live)

    const second = startDaemon(repo, { args: ['--once', '--json'] })
    expect(await waitExit(second, 60_000), second.stderr()).toEqual({ code: 0, signal: null })
    expect(warnings(second).filter(message => message.includes('temp file'))).toEqual([`removed temp file ${join(out, name)}, left by GitVan process ${first.pid} that is gone`])
    expect(readdirSync(out).sort()).toEqual(['big.bin', 'live.bin.gitvan-' + `${process.pid}-${HOST_TAG}-111111111111.tmp`, `other.gitvan-1-${HOST_TAG}-000000000000.tmp`])
    expect(statSync(join(out, 'big.bin')).size).toBe(256 * 1024 * 1024)
    expect(readAllReceipts(repo).filter(receipt => receipt.job === 'big').map(receipt => receipt.status)).toEqual(['ok'])
    expectHealthyEverywhere(repo)
    await release()
  }, 120_000)

  it('an index.lock left by a git commit killed with the daemon is removed on the next start once nobody may use it; until then the retry says why it fails', async () => {
    const control = tempDir()
    const repo = createProject({
      'gitvan.config.mjs': CONFIG,
      '.gitignore': '.gitvan/\n',
      'stamp.txt': 'start\n',
      'jobs/healthy.ts': HEALTHY,
      'jobs/committer.ts': `export default defineJob({
  on: { commit: { message: '^release' } },
  env: ${JSON.stringify(IDENTITY)},
  steps: [
    { exec: 'cli', cmd: 'sh', args: ['-c', 'date +%s%N > stamp.txt'] },
    { exec: 'cli', cmd: 'git', args: ['commit', '-a', '-q', '-m', 'chore: stamp'] },
  ],
})\n`,
    })
    // A pre-commit hook that, while asked to, says git's pid and waits: git holds index.lock meanwhile.
    const hook = join(repo, '.git/hooks/pre-commit')
    mkdirSync(join(hook, '..'), { recursive: true })
    writeFileSync(hook, `#!/bin/sh\nif [ -f ${control}/block ]; then echo $PPID > ${control}/pid.tmp && mv ${control}/pid.tmp ${control}/git.pid; exec sleep 600; fi\n`)
    chmodSync(hook, 0o755)
    const release = commitFiles(repo, { notes: '1.0\n' }, 'release 1.0')
    writeFileSync(join(control, 'block'), '')
    const lock = join(repo, '.git/index.lock')

    const first = startDaemon(repo)
    const git = Number(await waitFor('git commit to wait in its hook', () => existsSync(join(control, 'git.pid')) && readFileSync(join(control, 'git.pid'), 'utf8').trim(), { watch: [first] }))
    groups.push(git)
    expect(existsSync(lock)).toBe(true)
    // The daemon and the git command it started die at once (a kill of the whole service, an OOM kill).
    await first.kill()
    process.kill(-git, 'SIGKILL')
    await waitFor('git to be gone', () => !isRunning(git))
    expect(existsSync(lock)).toBe(true)

    // While a process has the lock open, it stays, and the retry of the commit says why it fails.
    rmSync(join(control, 'block'))
    const holder = openSync(lock, 'r')
    const second = startDaemon(repo, { args: ['--once', '--json'] })
    await waitExit(second, 60_000)
    expect(warnings(second)).toContainEqual(expect.stringMatching(new RegExp(`^left ${lock} alone, though GitVan process ${first.pid} that ran there is gone: .* \\(pid ${process.pid}\\) may still use it$`)))
    const failed = readAllReceipts(repo).filter(receipt => receipt.job === 'committer')
    expect(failed.map(receipt => receipt.status)).toEqual(['error'])
    expect(failed[0]!.error).toContain(`"git" exited with code 128: fatal: Unable to create '${lock}': File exists.`)
    expect(existsSync(lock)).toBe(true)

    // Once nobody has it: removed, said once, and the commit goes through.
    closeSync(holder)
    const third = startDaemon(repo, { args: ['--once', '--json', '--retry-failed'] })
    expect(await waitExit(third, 60_000), third.stderr()).toEqual({ code: 0, signal: null })
    expect(warnings(third).filter(message => message.includes('index.lock'))).toEqual([`removed ${lock}, left by a git command of GitVan process ${first.pid}, which was killed`])
    expect(existsSync(lock)).toBe(false)
    expect(readAllReceipts(repo).filter(receipt => receipt.job === 'committer' && receipt.sha === release).map(receipt => receipt.status)).toEqual(['error', 'ok'])
    expect(sh(repo, 'log', '-1', '--format=%s')).toBe('chore: stamp')
    expectHealthyEverywhere(repo)

    // Nothing is left to say on the next start.
    const fourth = startDaemon(repo, { args: ['--once', '--json'] })
    expect(await waitExit(fourth, 60_000), fourth.stderr()).toEqual({ code: 0, signal: null })
    expect(warnings(fourth)).toEqual([])
  }, 180_000)
})
