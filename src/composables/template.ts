import { templateEnvFor } from '../exec/types/tmpl'
import type { TemplateEnv } from '../types/templates'
import { useGitVan } from '../context/use-gitvan'

/**
 * Nunjucks over the project's (and plugins') template dirs, with the run's deterministic clock and
 * `git` (head, branch, worktree, root) in every template.
 */
export function useTemplate(): TemplateEnv {
  return templateEnvFor(useGitVan())
}
