import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'pathe'
import { importCommits as importGitCommits } from '../src/git/fast-import'
import { notesChanges, readNotes } from '../src/git/notes'
import { createRemoteRefStore } from '../src/git/ref-store'
import { readRef } from '../src/git/refs'
import { type DaemonProcess, startDaemon, waitFor } from '../test/daemon/fixtures/daemon'
import { commitsOf, git, importCommits } from '../test/daemon/fixtures/repo'
import { cloneMachine, createProject } from '../test/remote/fixtures/cluster'
import { type GitServer, createBareRepo, startGitDaemon, stopServers } from '../test/remote/fixtures/servers'
import { builtCli, ensureBuilt, median, report } from './utils'

const WRITERS = 3
const BATCHES = 40
const PER_BATCH = 10
const BACKLOG = 600
const LATENCY_PUSHES = 15

/**
 * Several machines over one remote (git daemon over git:// on loopback): the receipts layout (one shared notes ref
 * against one notes ref per machine, under contention), the daemon end to end with 1 and 3 runners, and the
 * latency from a push to the job's start.
 */
export default async function benchRemote(): Promise<void> {
  ensureBuilt()
  try {
    await receiptsLayout()
    for (const runners of [1, 3]) await endToEnd(runners)
    await latency('fetch every daemon.pollInterval (2000 ms)', false)
    await latency('poked by the server\'s post-receive hook', true)
  } finally {
    await stopServers()
    for (const dir of made) rmSync(dir, { recursive: true, force: true })
  }
}

const made: string[] = []

/** A directory for this bench, removed at its end. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitvan-bench-remote-'))
  made.push(dir)
  return dir
}

/** A server with a bare repository `project.git`: its URL, and the repository's directory. */
async function server(): Promise<{ server: GitServer; url: string; bare: string }> {
  const root = tempDir()
  const bare = createBareRepo(root, 'project.git')
  const started = await startGitDaemon(root)
  return { server: started, url: started.url('project.git'), bare }
}

/**
 * 3 writers, each a clone, publish 40 batches of 10 receipts at once: to one shared notes ref (fetch, build on the
 * tip, push with --force-with-lease, again when another got there first), or each to a notes ref of its own (no
 * contention; readers read the union). Push attempts per batch, wall time, and the cost of reading every receipt.
 */
async function receiptsLayout(): Promise<void> {
  const { url } = await server()
  const source = createProject(tempDir(), url, {}, {})
  importCommits(source, WRITERS * BATCHES * PER_BATCH)
  git(source, ['push', '-q', 'origin', 'main'])
  const targets = commitsOf(source)
  for (const layout of ['shared', 'per machine'] as const) {
    const writers = Array.from({ length: WRITERS }, () => cloneMachine(url, tempDir()))
    let pushes = 0
    const started = performance.now()
    await Promise.all(writers.map(async (dir, w) => {
      const ref = layout === 'shared' ? 'refs/notes/bench/shared' : `refs/notes/bench/machine-${w}`
      const store = createRemoteRefStore(dir, url)
      for (let b = 0; b < BATCHES; b++) {
        const entries = targets.slice((w * BATCHES + b) * PER_BATCH, (w * BATCHES + b + 1) * PER_BATCH).map(object => ({ object, text: JSON.stringify({ job: 'bench', sha: object, w, b }), mode: 'append' as const }))
        for (;;) {
          if (layout === 'shared') await store.sync([ref])
          const parent = await readRef(dir, ref)
          const [commit] = await importGitCommits(dir, [{ parent, message: 'bench', changes: await notesChanges(dir, ref, parent, entries) }])
          pushes++
          if (await store.transaction([{ ref, oldValue: parent, newValue: commit! }])) break
        }
      }
    }))
    const wall = performance.now() - started
    const reader = cloneMachine(url, tempDir())
    git(reader, ['fetch', '-q', 'origin', '+refs/notes/bench/*:refs/notes/bench/*'])
    const refs = layout === 'shared' ? ['refs/notes/bench/shared'] : writers.map((_, w) => `refs/notes/bench/machine-${w}`)
    const reads: number[] = []
    for (let n = 0; n < 5; n++) {
      const at = performance.now()
      const notes = (await Promise.all(refs.map(ref => readNotes(reader, ref)))).reduce((sum, map) => sum + map.size, 0)
      reads.push(performance.now() - at)
      if (notes !== WRITERS * BATCHES * PER_BATCH) throw new Error(`read ${notes} notes instead of ${WRITERS * BATCHES * PER_BATCH}`)
    }
    report(`receipts, ${layout}: push attempts per batch of ${PER_BATCH}`, pushes / (WRITERS * BATCHES), 'pushes')
    report(`receipts, ${layout}: ${WRITERS} writers x ${BATCHES} batches`, wall, 'ms')
    report(`receipts, ${layout}: receipts/s published`, (WRITERS * BATCHES * PER_BATCH) / (wall / 1000), 'receipts/s')
    report(`receipts, ${layout}: read all ${WRITERS * BATCHES * PER_BATCH} (median of 5)`, median(reads), 'ms')
  }
}

/** `daemon --once` on 1 or 3 machines over a backlog of 600 commits, one job: commits/s, pushes per receipt. */
async function endToEnd(runners: number): Promise<void> {
  const { server: started, url } = await server()
  const source = createProject(tempDir(), url, { 'jobs/a.ts': 'export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n' }, {})
  importCommits(source, BACKLOG - 1)
  git(source, ['push', '-q', 'origin', 'main'])
  const machines = Array.from({ length: runners }, () => cloneMachine(url, tempDir()))
  const before = requests(started)
  const at = performance.now()
  const daemons = machines.map(dir => startDaemon(dir, { cli: [builtCli], args: ['--once', '--lookback', '5000', '--json'] }))
  const exits = await Promise.all(daemons.map(daemon => daemon.exited))
  const wall = performance.now() - at
  if (exits.some(exit => exit.code !== 0)) throw new Error(`a runner failed: ${daemons.map(daemon => daemon.stderr()).join('\n')}`)
  const runs = daemons.reduce((sum, daemon) => sum + daemon.runs().length, 0)
  if (runs !== BACKLOG) throw new Error(`${runs} runs instead of ${BACKLOG}`)
  const after = requests(started)
  report(`${runners} runner(s), ${BACKLOG} commits, --once: commits/s (wall)`, BACKLOG / (wall / 1000), 'commits/s')
  report(`  pushes per 100 receipts (leases, claims, receipts, state)`, (after.pushes - before.pushes) * 100 / BACKLOG, 'pushes')
  report(`  fetches per 100 receipts`, (after.fetches - before.fetches) * 100 / BACKLOG, 'fetches')
}

/** Pushes and fetches the git daemon served so far (its --verbose log names each request). */
function requests(started: GitServer): { pushes: number; fetches: number } {
  const log = started.log()
  return { pushes: log.match(/Request receive-pack/g)?.length ?? 0, fetches: log.match(/Request upload-pack/g)?.length ?? 0 }
}

/**
 * One long-running runner; commits pushed one at a time from another clone: push done -> job started. Without a
 * hook the runner fetches every `daemon.pollInterval` (2000 ms); with the documented post-receive hook (the server
 * touches the runner's poke file, as it can when they share a file system) it fetches at once.
 */
async function latency(label: string, hook: boolean): Promise<void> {
  const { url, bare } = await server()
  const starts = join(tempDir(), 'starts.log')
  const source = createProject(tempDir(), url, {
    'jobs/stamp.ts': [
      `import { appendFileSync } from 'node:fs'`,
      `export default defineJob({ on: { commit: true }, run({ trigger }) { appendFileSync(${JSON.stringify(starts)}, trigger.sha + ' ' + Date.now() + '\\n') } })`,
      '',
    ].join('\n'),
  }, {})
  const machine = cloneMachine(url, tempDir())
  let daemon: DaemonProcess | undefined
  try {
    if (hook) {
      writeFileSync(join(bare, 'hooks/post-receive'), `#!/bin/sh\ntouch ${join(machine, '.git/gitvan/poke')}\n`, { mode: 0o755 })
    }
    daemon = startDaemon(machine, { cli: [builtCli], args: ['--json'] })
    const d = daemon
    const startOf = (sha: string) => existsSync(starts) ? readFileSync(starts, 'utf8').split('\n').find(line => line.startsWith(sha))?.split(' ')[1] : undefined
    await waitFor('the first run', () => startOf(commitsOf(source)[0]!), { timeout: 60_000, watch: [d] })
    const delays: number[] = []
    for (let n = 0; n < LATENCY_PUSHES; n++) {
      const [sha] = importCommits(source, 1)
      git(source, ['push', '-q', 'origin', 'main'])
      const pushed = Date.now()
      const started = await waitFor(`the run of ${sha}`, () => startOf(sha!), { timeout: 30_000, interval: 2, watch: [d] })
      delays.push(Number(started) - pushed)
    }
    report(`push -> job start, ${label}, p50 of ${LATENCY_PUSHES}`, median(delays), 'ms')
    report(`push -> job start, ${label}, max`, Math.max(...delays), 'ms')
  } finally {
    await daemon?.kill()
  }
}
