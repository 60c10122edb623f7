import type { ArgsDef } from 'citty'
import { resolve } from 'pathe'
import type { createGitVan } from '../app/create'
import type { JobSummary } from '../jobs/registry'

type App = Awaited<ReturnType<typeof createGitVan>>

/** Flags every command that works on a repository accepts. */
export const commonArgs = {
  cwd: { type: 'string', description: 'Run as if started in this directory', valueHint: 'dir' },
  config: { type: 'string', description: 'Config file to use instead of gitvan.config.*', valueHint: 'file' },
} as const satisfies ArgsDef

export function resolveCwd(cwd: string | undefined): string {
  return resolve(process.cwd(), cwd ?? '.')
}

/** The app for a command's `--cwd` / `--config` flags, with GitVan's config warnings shown. */
export async function loadApp(args: { cwd?: string; config?: string }): Promise<App> {
  const { createGitVan } = await import('../app/create')
  return createGitVan({ cwd: resolveCwd(args.cwd), configFile: args.config })
}

/** Run `fn` with the app, and close it (the `close` hook) whatever happens. */
export async function withApp<T>(args: { cwd?: string; config?: string }, fn: (app: App) => Promise<T>): Promise<T> {
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
