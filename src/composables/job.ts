import { runExec } from '../exec/run-exec'
import type { ExecResult } from '../types/exec'
import type { JobId } from '../types/job'
import { useGitVan } from '../context/use-gitvan'

export interface UseJob {
  /** Run another job by id (type-checked once `gitvan prepare` ran), with cycle and depth checks. */
  run: (id: JobId, payload?: unknown) => Promise<ExecResult>
}

export function useJob(): UseJob {
  const ctx = useGitVan()
  return { run: (id, payload) => runExec({ exec: 'job', job: id, payload }, { ctx, signal: ctx.signal }) }
}
