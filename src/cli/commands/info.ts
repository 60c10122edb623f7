import { defineGitVanCommand } from '../command'
import { relative, resolve } from 'pathe'
import { loadGitVanConfig } from '../../config/load'
import { resolveRepo } from '../../git/repo'
import { gitvanPackage } from '../../utils/self'
import { commonArgs, resolveCwd } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'info', description: 'Show the repository, worktree and config GitVan sees' },
  args: {
    ...commonArgs,
    json: { type: 'boolean', description: 'Print JSON' },
  },
  async run({ args }) {
    const repo = await resolveRepo(resolveCwd(args.cwd))
    const { config, configFile } = await loadGitVanConfig({ cwd: repo.root, configFile: args.config })
    const info = {
      version: gitvanPackage().version,
      root: repo.root,
      worktree: repo.worktreeId,
      head: repo.head,
      branch: repo.branch,
      configFile: configFile ?? null,
      jobsDir: resolve(repo.root, config.jobsDir),
      receiptsRef: config.receipts.ref,
    }
    if (args.json) {
      console.log(JSON.stringify(info, null, 2))
      return
    }
    const rows: [string, string][] = [
      ['GitVan', info.version],
      ['root', info.root],
      ['worktree', info.worktree],
      ['head', info.head ?? '(no commits yet)'],
      ['branch', info.branch ?? '(detached)'],
      ['config', configFile ? relative(repo.root, configFile) : '(none, defaults)'],
      ['jobs dir', relative(repo.root, info.jobsDir)],
      ['receipts', info.receiptsRef],
    ]
    const width = Math.max(...rows.map(([key]) => key.length))
    for (const [key, value] of rows) console.log(`${key.padEnd(width)}  ${value}`)
  },
})
