import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'pathe'
import { commitAll, ensureBuilt, median, report, tempRepo } from './utils'

const CHANGES = 15

/** `gitvan dev`: time from a job file being written to the `reload` line saying its new definition is active. */
export default async function () {
  const repo = tempRepo()
  mkdirSync(join(repo, 'jobs'))
  for (let i = 0; i < 20; i++) writeFileSync(join(repo, 'jobs', `job${i}.ts`), `export default defineJob({ on: { commit: true }, run: () => ({ ok: true }) })\n`)
  commitAll(repo, 'bench project')
  const child = spawn(process.execPath, [ensureBuilt(), 'dev', '--json'], { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] })
  const reloads: number[] = []
  let buffer = ''
  let runs = 0
  child.stdout.on('data', (chunk) => {
    buffer += chunk
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const line of lines) {
      if (line.includes('"type":"reload"')) reloads.push(performance.now())
      if (line.includes('"type":"run"')) runs++
    }
  })
  // Started: the first commit's 20 runs are done.
  await waitFor(() => runs >= 20, 15_000)
  const latencies: number[] = []
  for (let i = 0; i < CHANGES; i++) {
    const before = reloads.length
    const written = performance.now()
    writeFileSync(join(repo, 'jobs/job0.ts'), `export default defineJob({ meta: { desc: 'version ${i}' }, on: { commit: true }, run: () => ({ ok: true }) })\n`)
    await waitFor(() => reloads.length > before, 10_000)
    latencies.push(reloads[before]! - written)
    await sleep(150)
  }
  child.kill('SIGINT')
  report(`gitvan dev reload, 20 jobs, median of ${CHANGES}`, median(latencies), 'ms', { max: 200 })
  report(`gitvan dev reload, 20 jobs, worst of ${CHANGES}`, Math.max(...latencies), 'ms')
  rmSync(repo, { recursive: true, force: true })
}

async function waitFor(condition: () => boolean, timeout: number): Promise<void> {
  const deadline = performance.now() + timeout
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for gitvan dev')
    await sleep(5)
  }
}
