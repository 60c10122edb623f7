import { defineGitVanCommand } from '../command'
import { configDefaults } from '../../config/defaults'
import { resolveGitDir } from '../../git/repo'
import { LOGS_REF } from '../../receipts/log-format'
import { openBrowser } from '../open-browser'
import { rerunFromPage } from '../page-rerun'
import { commonArgs, fetchForReading, jobSummaries, loadApp, resolveCwd } from '../shared'

export default defineGitVanCommand({
  meta: { name: 'ui', description: 'Serve the web page of runs, jobs and re-runs; prints its URL first' },
  args: {
    host: { type: 'string', description: 'Interface to listen on (default 127.0.0.1; any other needs GITVAN_UI_TOKEN)', valueHint: 'address' },
    port: { type: 'string', description: 'Port (default 7370, or any free one when it is taken; 0: any free one)', valueHint: 'n' },
    open: { type: 'boolean', description: 'Open the page in the browser' },
    ...commonArgs,
  },
  async run({ args }) {
    const port = portFlag(args.port, '--port')
    const { startUiServer } = await import('../../server/server')
    const cwd = resolveCwd(args.cwd)
    const repo = await resolveGitDir(cwd)
    if (!repo.root && args.config) throw new Error(`--config needs a worktree, and ${repo.gitDir} is a bare repository: drop --config (receipts are read from ${configDefaults.receipts.ref})`)
    // A worktree gives the config (receipts.ref), the jobs and re-runs; a bare repository or a mirror, the receipts.
    const app = repo.root ? await loadApp(args) : null
    // With a shared remote, start from what it holds (as `gitvan log` does); runs published later elsewhere show
    // once fetched (a daemon here fetches them as it works).
    if (app) await fetchForReading(app, [app.options.receipts.ref, LOGS_REF])
    const server = await startUiServer({
      cwd: repo.root ?? repo.gitDir,
      receiptsRef: app?.options.receipts.ref ?? configDefaults.receipts.ref,
      host: args.host,
      port,
      accessToken: process.env.GITVAN_UI_TOKEN,
      jobs: app ? () => jobSummaries(app) : undefined,
      rerun: app ? request => rerunFromPage(app, request) : undefined,
      readOnly: app ? undefined : 'bare repository: read-only',
    }).catch(async (error) => {
      await app?.close()
      throw error
    })
    console.log(server.url)
    if (args.open) openBrowser(server.url, message => console.error(`gitvan: ${message}`))
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await server.close()
    await app?.close()
  },
})

export function portFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${flag} must be a whole number from 0 to 65535, got "${value}"`)
  return port
}
