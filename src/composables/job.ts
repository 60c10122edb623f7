import { runExec } from '../exec/run-exec'
import { RunSkipped } from '../exec/outcome'
import type { ExecResult } from '../types/exec'
import type { JobId } from '../types/job'
import { useGitVan } from '../context/use-gitvan'

export interface UseJob {
  /** Run another job by id (type-checked once `gitvan prepare` ran), with cycle and depth checks. */
  run: (id: JobId, payload?: unknown) => Promise<ExecResult>
  /**
   * End this run now as `skipped` with `reason` (nothing to do for this commit): its receipt says so, and the
   * pair is settled like a success. Throws, so nothing after it runs.
   */
  skip: (reason: string) => never
}

export function useJob(): UseJob {
  const ctx = useGitVan()
  return {
    run: (id, payload) => runExec({ exec: 'job', job: id, payload }, { ctx, signal: ctx.signal }),
    skip: (reason) => {
      throw new RunSkipped(typeof reason === 'string' && reason !== '' ? reason : 'skipped by the job')
    },
  }
}
