import type { CliExecSpec, ExecHandler } from '../../types/exec'
import { runCli } from '../cli'

/** `{ exec: 'cli', cmd, args? }` in the run's worktree, with the run's environment only. */
export const cliExec: ExecHandler<CliExecSpec> = (spec, { ctx, signal }) =>
  runCli(spec, { root: ctx.worktreeRoot, env: ctx.env, signal })
