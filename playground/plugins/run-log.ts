import { appendFile, mkdir } from 'node:fs/promises'

/**
 * A local plugin: files in plugins/ are installed automatically, after the config's plugins, and get the
 * same auto-imports as jobs (no import line for defineGitVanPlugin). It logs every run to .gitvan/runs.log.
 */
export default defineGitVanPlugin({
  meta: { name: 'playground-run-log' },
  setup(_options, gitvan) {
    const dir = `${gitvan.repo.root}/.gitvan`
    // Once a run's receipt is in Git: its status says ok, skipped, cancelled, error or timeout.
    gitvan.hook('receipt:written', async (receipt) => {
      await mkdir(dir, { recursive: true })
      await appendFile(`${dir}/runs.log`, `${receipt.job} (${receipt.trigger.type}) ${receipt.status}${receipt.error ? `: ${receipt.error}` : ''}\n`)
    })
  },
})
