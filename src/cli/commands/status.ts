import { defineGitVanCommand } from '../command'
import { commonArgs } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'status', description: 'Whether a daemon runs on this repository now, what it runs, what is pending' },
  args: {
    json: { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const { printStatus } = await import('../status')
    return printStatus(args)
  },
})
