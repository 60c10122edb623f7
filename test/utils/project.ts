import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'pathe'
import { commitFiles, createRepo } from './repo'

/** A git repository with `files` written (not committed unless `commit`), and a first commit. */
export function createProject(files: Record<string, string>, options: { commit?: boolean } = {}): string {
  const repo = createRepo()
  writeFiles(repo, files)
  if (options.commit !== false) commitFiles(repo, {}, 'chore: add gitvan project files')
  return repo
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
}
