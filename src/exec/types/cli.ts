import type { CliExecSpec, ExecHandler } from '../../types/exec'
import { runCli } from '../cli'

/**
 * `{ exec: 'cli', cmd, args? }` in the run's worktree, with the run's environment only; its output streams into
 * the run's log as it arrives.
 */
export const cliExec: ExecHandler<CliExecSpec> = async (spec, { ctx, signal }) => {
  const out = { stdout: ctx.runLog.pipe('stdout'), stderr: ctx.runLog.pipe('stderr') }
  try {
    return await runCli(spec, { root: ctx.worktreeRoot, env: ctx.env, signal, onOutput: (stream, chunk) => out[stream].write(chunk) })
  } finally {
    out.stdout.end()
    out.stderr.end()
  }
}
