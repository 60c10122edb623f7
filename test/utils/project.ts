import { writeFiles } from './files'
import { commitFiles, createRepo } from './repo'

/** A git repository with `files` written (not committed unless `commit`), and a first commit. */
export function createProject(files: Record<string, string>, options: { commit?: boolean } = {}): string {
  const repo = createRepo()
  writeFiles(repo, files)
  if (options.commit !== false) commitFiles(repo, {}, 'chore: add gitvan project files')
  return repo
}

export {writeFiles} from './files'
