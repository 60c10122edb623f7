import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { commitAll, measureProcess, median, report, tempRepo } from './utils'

const RUNS = 7

function figures(args: string[], cwd: string, env?: Record<string, string>) {
  const runs = Array.from({ length: RUNS }, () => measureProcess(args, cwd, env))
  return { ms: median(runs.map(r => r.ms)), rssMiB: median(runs.map(r => r.rssMiB)) }
}

/** Whole-process time and peak memory of the built CLI: startup, info, list over 200 jobs, run. */
export default async function () {
  const repo = tempRepo()
  writeFileSync(join(repo, 'gitvan.config.ts'), 'export default { daemon: { lookback: 10 } }\n')
  for (let i = 0; i < 200; i++) {
    const dir = join(repo, 'jobs', `group${i % 10}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `job${i}.ts`), `export default defineJob({ meta: { desc: 'Job ${i}', tags: ['bench'] }, on: { commit: { paths: ['src/**'] } }, run: () => ({ ok: true }) })\n`)
  }
  writeFileSync(join(repo, 'jobs/dynamic.ts'), "const desc = 'Dyn' + 'amic'\nexport default defineJob({ meta: { desc }, run: () => ({ ok: true }) })\n")
  commitAll(repo, 'bench project')

  const version = figures(['--version'], repo)
  report('gitvan --version (wall)', version.ms, 'ms', { max: 200 })
  report('gitvan --version (peak RSS)', version.rssMiB, 'MiB', { max: 60 })
  const info = figures(['info'], repo)
  report('gitvan info (wall)', info.ms, 'ms', { max: 200 })
  report('gitvan info (peak RSS)', info.rssMiB, 'MiB', { max: 60 })

  const cold = Array.from({ length: 3 }, () => {
    rmSync(join(repo, '.gitvan'), { recursive: true, force: true })
    return measureProcess(['list'], repo).ms
  })
  report('gitvan list, 201 jobs, cold cache (wall)', median(cold), 'ms')
  report('gitvan list, 201 jobs, warm cache (wall)', figures(['list'], repo).ms, 'ms', { max: 400 })
  report('gitvan run <trivial job> (wall)', figures(['run', 'dynamic'], repo).ms, 'ms', { max: 300 })
  rmSync(repo, { recursive: true, force: true })
}
