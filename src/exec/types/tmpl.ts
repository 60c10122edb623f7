import { performance } from 'node:perf_hooks'
import { createTemplateEnv } from '../../templates'
import { tempFilesJournal } from '../../utils/fs'
import type { TemplateEnv } from '../../types/templates'
import type { GitVanContext } from '../../types/context'
import type { ExecHandler, TmplExecSpec } from '../../types/exec'

/**
 * The template environment of a run: the app's template dirs, the run's clock, git facts as globals; files
 * are written in the run's worktree.
 */
export function templateEnvFor(ctx: GitVanContext): TemplateEnv {
  return createTemplateEnv({
    root: ctx.worktreeRoot,
    dirs: ctx.app.templatesDirs,
    autoescape: ctx.config.templates.autoescape,
    now: ctx.now,
    globals: { git: { head: ctx.head, branch: ctx.branch, worktree: ctx.worktree.id, root: ctx.worktreeRoot } },
    tempJournal: tempFilesJournal(ctx.app.repo.commonDir),
  })
}

/** `{ exec: 'tmpl', template, data?, out? }`: render a nunjucks template; `out` is written and becomes the artifact. */
export const tmplExec: ExecHandler<TmplExecSpec> = async (spec, { ctx }) => {
  const started = performance.now()
  const env = templateEnvFor(ctx)
  if (spec.out) {
    const { path, bytes } = await env.renderToFile(spec.template, spec.out, spec.data)
    return { ok: true, artifact: path, durationMs: Math.round(performance.now() - started), meta: { bytes } }
  }
  return { ok: true, stdout: env.render(spec.template, spec.data), durationMs: Math.round(performance.now() - started) }
}
