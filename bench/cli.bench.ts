import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { builtDaemonCli, commitAll, interleave, lefthookBin, measureProcess, row, stats, tempRepo, timeProcess } from './utils'

const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 15)
const JOBS = 200

/**
 * Whole processes of the built CLI, as users start them, against what any command costs: `node -e 0` (the floor of a
 * Node CLI) and `lefthook run` of a hook with one trivial command (a peer, a Go binary). Samples of every command are
 * interleaved, so the machine's load weighs on all alike; medians with p10..p90.
 */
export default async function benchCli(): Promise<void> {
  const { cli: [cli], cleanup } = builtDaemonCli()
  const repo = tempRepo()
  try {
    writeFileSync(join(repo, 'gitvan.config.ts'), 'export default { daemon: { lookback: 10 } }\n')
    for (let i = 0; i < JOBS; i++) {
      const dir = join(repo, 'jobs', `group${i % 10}`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `job${i}.ts`), `export default defineJob({ meta: { desc: 'Job ${i}', tags: ['bench'] }, on: { commit: { paths: ['src/**'] } }, run: () => ({ ok: true }) })\n`)
    }
    writeFileSync(join(repo, 'jobs/trivial.ts'), 'export default defineJob({ run: () => ({ ok: true }) })\n')
    writeFileSync(join(repo, 'lefthook.yml'), 'bench:\n  jobs:\n    - run: "true"\n')
    commitAll(repo, 'bench project')

    // Timed as the anchors are, without the RSS probe (measured apart below).
    const gitvan = (...args: string[]) => () => timeProcess(process.execPath, [cli!, ...args], repo)
    const lefthook = lefthookBin()
    // Warm: the transpile, auto-import and static caches are filled by a first run, as after any first use.
    for (const warm of [gitvan('list'), gitvan('run', 'trivial')]) warm()
    const samples = interleave(ROUNDS, {
      node: () => timeProcess(process.execPath, ['-e', '0'], repo),
      ...(lefthook ? { lefthook: () => timeProcess(lefthook, ['run', 'bench'], repo, { NO_COLOR: '1' }) } : {}),
      version: gitvan('--version'),
      run: gitvan('run', 'trivial'),
      list: gitvan('list'),
    })
    // Apart, as it empties the caches the others use.
    const cold = interleave(Math.ceil(ROUNDS / 2), {
      node: () => timeProcess(process.execPath, ['-e', '0'], repo),
      list: () => {
        rmSync(join(repo, '.git/gitvan/cache'), { recursive: true, force: true })
        return gitvan('list')()
      },
    })
    const node = { name: '`node -e 0`', figure: stats(samples.node!) }
    const peer = samples.lefthook ? [{ name: '`lefthook run` (one trivial command)', figure: stats(samples.lefthook) }] : []
    if (!lefthook) console.log('(lefthook is not installed: `npm ci` brings it, as a devDependency)')
    row('gitvan --version', stats(samples.version!), 'ms', [{ ...node, target: 1.2 }])
    row('gitvan run <trivial job> (201 jobs, warm)', stats(samples.run!), 'ms', [{ ...node, target: 2 }, ...peer])
    row(`gitvan list (${JOBS + 1} jobs, warm)`, stats(samples.list!), 'ms', [{ ...node, target: 2.5 }, ...peer])
    row(`gitvan list (${JOBS + 1} jobs, caches removed)`, stats(cold.list!), 'ms', [{ name: '`node -e 0`', figure: stats(cold.node!) }])
    const rss = (args: string[]) => stats(Array.from({ length: 5 }, () => measureProcess(args, repo, {}, cli).rssMiB))
    row('peak RSS, gitvan run <trivial job>', rss(['run', 'trivial']), 'MiB')
    row('peak RSS, gitvan list', rss(['list']), 'MiB')
  } finally {
    rmSync(repo, { recursive: true, force: true })
    cleanup()
  }
}
