import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { createRemoteRefStore } from '../../src/git/ref-store'
import { RemoteUnreachableError, addFetchRefspecs, fetchRefs, pushRefs } from '../../src/git/remote'
import { readRef } from '../../src/git/refs'
import { gitvan } from '../utils/cli'
import { tempDir } from '../utils/repo'
import { git, initRepo } from '../daemon/fixtures/repo'
import { freePort } from '../remote/fixtures/servers'

/** A bare remote and a clone with two commits `a`, `b` (and a blob) to push as ref values. */
function setup() {
  const remote = join(tempDir(), 'remote.git')
  git(tempDir(), ['init', '-q', '--bare', remote])
  const dir = initRepo(tempDir())
  git(dir, ['commit', '-q', '--allow-empty', '-m', 'a'])
  const a = git(dir, ['rev-parse', 'HEAD'])
  git(dir, ['commit', '-q', '--allow-empty', '-m', 'b'])
  const b = git(dir, ['rev-parse', 'HEAD'])
  const blob = git(dir, ['hash-object', '-w', '--stdin'], 'ledger\n')
  return { remote, dir, a, b, blob }
}

const remoteRef = (remote: string, ref: string) => git(remote, ['for-each-ref', '--format=%(objectname)', ref]) || null

describe('compare-and-swap on a remote (git push --force-with-lease)', () => {
  it('creates only what is absent, moves only from the expected value, deletes only the expected value', async () => {
    const { remote, dir, a, b } = setup()
    const ref = 'refs/gitvan/locks/x'
    expect(await pushRefs(dir, remote, [{ ref, value: a, expected: null }])).toEqual([true])
    expect(await pushRefs(dir, remote, [{ ref, value: b, expected: null }])).toEqual([false])
    expect(await pushRefs(dir, remote, [{ ref, value: b, expected: b }])).toEqual([false])
    expect(remoteRef(remote, ref)).toBe(a)
    // A root-less move (not a fast-forward) is fine when the expectation holds.
    expect(await pushRefs(dir, remote, [{ ref, value: b, expected: a }])).toEqual([true])
    expect(await pushRefs(dir, remote, [{ ref, value: null, expected: a }])).toEqual([false])
    expect(await pushRefs(dir, remote, [{ ref, value: null, expected: b }])).toEqual([true])
    expect(remoteRef(remote, ref)).toBeNull()
  })

  it('pushes a blob as a ref value; --atomic lands all or none, without it each on its own', async () => {
    const { remote, dir, a, b, blob } = setup()
    expect(await pushRefs(dir, remote, [{ ref: 'refs/gitvan/locks/claims', value: blob, expected: null }, { ref: 'refs/gitvan/locks/r', value: a, expected: null }], { atomic: true })).toEqual([true, true])
    expect(git(remote, ['cat-file', '-t', 'refs/gitvan/locks/claims'])).toBe('blob')
    // The lease moved meanwhile: nothing of the atomic push lands.
    expect(await pushRefs(dir, remote, [{ ref: 'refs/notes/x', value: b, expected: null }, { ref: 'refs/gitvan/locks/r', value: b, expected: b }], { atomic: true })).toEqual([false, false])
    expect(remoteRef(remote, 'refs/notes/x')).toBeNull()
    expect(await pushRefs(dir, remote, [{ ref: 'refs/notes/x', value: b, expected: null }, { ref: 'refs/gitvan/locks/r', value: b, expected: b }])).toEqual([true, false])
  })

  it('counts a ref already at the pushed value as held: why every value GitVan pushes is unique to its writer', async () => {
    const { remote, dir, a } = setup()
    expect(await pushRefs(dir, remote, [{ ref: 'refs/gitvan/state', value: a, expected: null }])).toEqual([true])
    expect(await pushRefs(dir, remote, [{ ref: 'refs/gitvan/state', value: a, expected: null }])).toEqual([true])
  })

  it('a remote store mirrors what it pushed and fetches what others pushed, pruning what they deleted', async () => {
    const { remote, dir, a, b } = setup()
    const other = initRepo(tempDir())
    git(other, ['fetch', '-q', dir, 'HEAD'])
    const mine = createRemoteRefStore(dir, remote)
    const theirs = createRemoteRefStore(other, remote)
    expect(await mine.transaction([{ ref: 'refs/gitvan/locks/runners/m', oldValue: null, newValue: a }, { ref: 'refs/gitvan/state', oldValue: null, newValue: a }])).toBe(true)
    expect(await readRef(dir, 'refs/gitvan/locks/runners/m')).toBe(a)
    await theirs.sync(['refs/gitvan/locks/', 'refs/gitvan/state'])
    expect(await readRef(other, 'refs/gitvan/locks/runners/m')).toBe(a)
    expect(await theirs.transaction([{ ref: 'refs/gitvan/state', oldValue: a, newValue: b }])).toBe(true)
    expect(await mine.transaction([{ ref: 'refs/gitvan/state', oldValue: a, newValue: b }])).toBe(true)
    expect(await mine.casEach([{ ref: 'refs/gitvan/locks/runners/m', oldValue: a, newValue: null }], 'lose')).toEqual([true])
    await theirs.sync(['refs/gitvan/locks/'])
    expect(await readRef(other, 'refs/gitvan/locks/runners/m')).toBeNull()
    await expect(mine.transaction([{ ref: 'refs/gitvan/state', verify: b }])).rejects.toThrow('Cannot verify refs/gitvan/state on a remote without moving it: fence with an update of the ref (a lease renewal) in the same transaction')
  })

  it('a remote that does not answer: RemoteUnreachableError after the retries, and the store says since when', async () => {
    const { dir, a } = setup()
    const url = `git://127.0.0.1:${await freePort()}/nobody.git`
    const error = await pushRefs(dir, url, [{ ref: 'refs/gitvan/x', value: a, expected: null }], { attempts: 2 }).catch((error: unknown) => error)
    expect(error).toBeInstanceOf(RemoteUnreachableError)
    expect((error as Error).message).toMatch(new RegExp(`^Remote ${url} is unreachable from ${dir}: fatal: unable to connect to 127\\.0\\.0\\.1`))
    const store = createRemoteRefStore(dir, url, { attempts: 1 })
    const told: boolean[] = []
    store.onReachability(reachable => told.push(reachable))
    await expect(store.sync(['refs/gitvan/locks/'])).rejects.toBeInstanceOf(RemoteUnreachableError)
    await expect(store.sync(['refs/gitvan/locks/'])).rejects.toBeInstanceOf(RemoteUnreachableError)
    expect(store.unreachableSince()).toBeGreaterThan(0)
    expect(told).toEqual([false])
  })

  it('a remote that is not a repository: one line saying so, not an outage', async () => {
    const { dir } = setup()
    const error = await fetchRefs(dir, join(tempDir(), 'missing.git'), ['+refs/gitvan/x*:refs/gitvan/x*']).catch((error: unknown) => error)
    expect(error).not.toBeInstanceOf(RemoteUnreachableError)
    expect((error as Error).message).toMatch(/^git fetch to .*missing\.git failed in .*: fatal: '.*missing\.git' does not appear to be a git repository; check `git remote -v` and that the remote accepts pushes$/)
  })

  it('addFetchRefspecs adds each refspec once, and names a missing remote', async () => {
    const { remote, dir } = setup()
    git(dir, ['remote', 'add', 'origin', remote])
    expect(await addFetchRefspecs(dir, 'origin', ['+refs/gitvan/logs*:refs/gitvan/logs*'])).toEqual(['+refs/gitvan/logs*:refs/gitvan/logs*'])
    expect(await addFetchRefspecs(dir, 'origin', ['+refs/gitvan/logs*:refs/gitvan/logs*'])).toEqual([])
    await expect(addFetchRefspecs(dir, 'upstream', [])).rejects.toThrow(`No remote "upstream" in ${dir}: add it first (git remote add upstream <url>) or name one of \`git remote\``)
  })
})

describe('bad remote settings', () => {
  it('--remote without a usable value, a config `remote` that is not a string, an unknown remote: one line, exit 1', async () => {
    const dir = initRepo(tempDir(), { 'jobs/a.ts': 'export default defineJob({ run: () => ({ ok: true }) })\n' })
    git(dir, ['add', '-A'])
    git(dir, ['commit', '-q', '-m', 'a'])
    const flag = await gitvan(['daemon', '--once', '--remote', '-x'], { cwd: dir })
    expect(flag.code).toBe(1)
    expect(flag.stderr.trim().split('\n')).toHaveLength(1)

    const unknown = await gitvan(['daemon', '--once', '--remote', 'nowhere'], { cwd: dir })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr.trim()).toMatch(/^gitvan: Cannot start the daemon with remote nowhere: git fetch to nowhere failed in .*: fatal: 'nowhere' does not appear to be a git repository; .*; check the remote \(`git ls-remote nowhere`\) and start again$/)

    const init = await gitvan(['init', '--remote', 'nowhere'], { cwd: dir })
    expect(init.code).toBe(1)
    expect(init.stderr.trim()).toBe(`gitvan: No remote "nowhere" in ${dir}: add it first (git remote add nowhere <url>) or name one of \`git remote\``)

    initRepo(dir, { 'gitvan.config.mjs': 'export default { remote: 3 }\n' })
    const config = await gitvan(['status'], { cwd: dir })
    expect(config.code).toBe(1)
    expect(config.stderr.trim()).toBe(`gitvan: Invalid config in ${dir}/gitvan.config.mjs: \`remote\` must be false, or the name or URL of a Git remote (e.g. "origin"), got 3`)
  })
})
