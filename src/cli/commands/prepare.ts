import { defineGitVanCommand } from '../command'
import { relative } from 'pathe'
import { commonArgs, withApp } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'prepare', description: 'Write .gitvan/types and .gitvan/tsconfig.json for editors and tsc' },
  args: { ...commonArgs },
  async run({ args }) {
    return withApp(args, async (app) => {
      const { writeTypes } = await import('../../jobs/prepare')
      const written = await writeTypes(app)
      for (const file of written) console.log(`wrote ${relative(app.repo.root, file)}`)
    })
  },
})
