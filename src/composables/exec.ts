import { runExec } from '../exec/run-exec'
import { cliExec } from '../exec/types/cli'
import type { CliExecSpec, ExecResult, ExecSpec } from '../types/exec'
import { useGitVan } from '../context/use-gitvan'

export interface UseExec {
  /** Run a command with an argument array (no shell unless `shell: true`), in the run's worktree and environment; its output goes to the run's log too. */
  run: (cmd: string, args?: string[], options?: Omit<CliExecSpec, 'exec' | 'cmd' | 'args'>) => Promise<ExecResult>
  /** Run any exec spec (`cli`, `js`, `job`, `tmpl`, plugin types) as a composite step would. */
  exec: (spec: ExecSpec, options?: { signal?: AbortSignal }) => Promise<ExecResult>
}

/** Run commands and exec steps from job code. This is the `cli` exec type itself, not a copy of it. */
export function useExec(): UseExec {
  const ctx = useGitVan()
  return {
    run: async (cmd, args = [], options = {}) => cliExec({ exec: 'cli', cmd, args, ...options }, { ctx, signal: ctx.signal }),
    exec: (spec, options = {}) => runExec(spec, { ctx, signal: options.signal ?? ctx.signal }),
  }
}
