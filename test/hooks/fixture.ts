import { createGitVan } from '../../src/app/create'
import { createProject } from '../utils/project'
import { testEnv } from '../utils/repo'

// These tests create the app in this process, and receipts are commits on a notes ref: they need an identity.
for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'] as const) process.env[key] = testEnv[key]

/** What hooks defined in a test project's files record (they run in this process). */
export function recorded(): string[] {
  return ((globalThis as { __gitvanTest?: string[] }).__gitvanTest ??= [])
}

/** Source that records `name` in a project file: `record("x")` after an `await`, to prove hooks are awaited. */
export const RECORD = 'const record = (name) => new Promise(r => setTimeout(r, 5)).then(() => { (globalThis.__gitvanTest ??= []).push(name) })\n'

/** A committed project with `files`, and the app for it. */
export async function createTestApp(files: Record<string, string>) {
  recorded().length = 0
  const root = createProject(files)
  return { root, app: await createGitVan({ cwd: root }) }
}
