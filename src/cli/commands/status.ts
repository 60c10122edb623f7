import { defineGitVanCommand } from '../command'
import { commonArgs } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'status', description: 'Whether a daemon runs now, on which machine, what it runs and what is pending; how far each branch is settled' },
  args: {
    json: { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const { printStatus } = await import('../status')
    return printStatus(args)
  },
})
