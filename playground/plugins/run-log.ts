import { appendFile, mkdir } from 'node:fs/promises'

/**
 * A local plugin: files in plugins/ are installed automatically, after the config's plugins, and get the
 * same auto-imports as jobs (no import line for defineGitVanPlugin). It logs every run to .gitvan/runs.log.
 */
export default defineGitVanPlugin({
  meta: { name: 'playground-run-log' },
  setup(_options, gitvan) {
    const dir = `${gitvan.repo.root}/.gitvan`
    gitvan.hook('job:after', async (event, result) => {
      await mkdir(dir, { recursive: true })
      await appendFile(`${dir}/runs.log`, `${event.id} (${event.trigger.type}) ${result.ok ? 'ok' : `failed: ${result.error}`}\n`)
    })
  },
})
