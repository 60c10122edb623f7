import type { ArgsDef } from 'citty'
import { resolve } from 'pathe'
import type { createGitVan } from '../app/create'
import { resolveRepo } from '../git/repo'
import type { JobSummary } from '../jobs/registry'

type App = Awaited<ReturnType<typeof createGitVan>>

/** Flags every command that works on a repository accepts. */
export const commonArgs = {
  cwd: { type: 'string', description: 'Run as if started in this directory', valueHint: 'dir' },
  config: { type: 'string', description: 'Config file to use instead of gitvan.config.*', valueHint: 'file' },
  remote: { type: 'string', description: 'Coordinate through this Git remote (config `remote`), e.g. origin', valueHint: 'name|url' },
} as const satisfies ArgsDef

export function resolveCwd(cwd: string | undefined): string {
  return resolve(process.cwd(), cwd ?? '.')
}

/** The app for a command's `--cwd` / `--config` / `--remote` flags, with GitVan's config warnings shown. */
export async function loadApp(args: { cwd?: string; config?: string; remote?: string }): Promise<App> {
  if (args.remote !== undefined && !/^[^\s-]\S*$/.test(args.remote)) throw new Error(`--remote must name a Git remote or a URL (e.g. --remote origin), got "${args.remote}"`)
  // The repository is read (a git process) while the app's modules load.
  const [repo, { createGitVan }] = await Promise.all([resolveRepo(resolveCwd(args.cwd)), import('../app/create')])
  return createGitVan({ repo, configFile: args.config, overrides: args.remote === undefined ? undefined : { remote: args.remote } })
}

/** Run `fn` with the app, and close it (the `close` hook) whatever happens. */
export async function withApp<T>(args: { cwd?: string; config?: string; remote?: string }, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await loadApp(args)
  try {
    return await fn(app)
  } finally {
    await app.close()
  }
}

/** What `gitvan list` shows of each job, read without running job code where possible. */
export async function jobSummaries(app: App): Promise<JobSummary[]> {
  return Promise.all((await app.jobs.scan()).map(job => app.jobs.summarize(job)))
}

/**
 * With a remote: fetch `refs` (names or prefixes) so that a command reads what the remote holds now. When the remote
 * cannot be reached, one line says the command shows what was fetched last.
 */
export async function fetchForReading(app: App, refs: string[]): Promise<void> {
  if (!app.refs.remote) return
  const { RemoteUnreachableError } = await import('../git/remote')
  await app.refs.sync(refs).catch((error: unknown) => {
    if (!(error instanceof RemoteUnreachableError)) throw error
    console.error(`gitvan: ${error.message}; showing what was fetched last`)
  })
}
