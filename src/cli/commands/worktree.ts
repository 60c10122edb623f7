import { defineGitVanCommand } from '../command'
import { listWorktrees } from '../../git/worktrees'
import { readState } from '../../daemon/state'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'worktree', description: 'Worktrees of the repository and what the daemon processed in each' },
  args: {
    action: { type: 'positional', required: true, description: '`list`', valueHint: 'list' },
    json: { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    if (args.action !== 'list') throw new Error(`Unknown worktree action "${args.action}": use \`gitvan worktree list\``)
    return withApp(args, async (app) => {
      const [worktrees, { state }] = await Promise.all([listWorktrees(app.repo.root), readState(app.repo.root)])
      const rows = worktrees.map(w => ({ id: w.id, path: w.path, branch: w.branch, head: w.head, lastProcessed: state?.heads[w.branch ?? `HEAD@${w.id}`] ?? null }))
      if (args.json) {
        console.log(JSON.stringify(rows, null, 2))
        return
      }
      for (const row of rows) {
        console.log(`${row.id.padEnd(16)} ${(row.branch ?? '(detached)').padEnd(20)} ${row.head?.slice(0, 7) ?? '(empty)'}  processed ${row.lastProcessed?.slice(0, 7) ?? 'nothing yet'}  ${row.path}`)
      }
    })
  },
})
