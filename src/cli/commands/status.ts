import { defineGitVanCommand } from '../command'
import { commonArgs } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'status', description: 'What the daemons settled per branch, which runner on which machine holds what, and when each last reported' },
  args: {
    json: { type: 'boolean', description: 'Print JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const { printStatus } = await import('../daemon-status')
    return printStatus(args)
  },
})
