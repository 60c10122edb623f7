// A GitVan plugin as published: plain ESM, no build step, types in index.d.ts. `gitvan` and `gitvan/kit` are the
// running GitVan (GitVan loads plugins with those aliases), which is why it is an optional peer dependency.
import { appendFile, mkdir } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { useExec } from 'gitvan'
import { defineGitVanPlugin, resolveInside } from 'gitvan/kit'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export default defineGitVanPlugin({
  meta: { name: 'gitvan-plugin-notify', version: '1.0.0', configKey: 'notify', compatibility: '^2.1.0' },
  // A value, or a function of the app: `(gitvan) => ({ ... })`. The user's options are merged over it.
  defaults: { file: '.gitvan/notify.log', prefix: '' },
  setup(options, gitvan) {
    gitvan.addExecType('notify', (spec, { ctx, signal }) => notify(spec, options, ctx, signal))
    // This very file: jobs get the same module, and `gitvan prepare` types it from index.d.ts.
    gitvan.addImports({ name: 'useNotify', from: fileURLToPath(import.meta.url) })
  },
})

/** Send notifications from job code; each call is a `notify` step, with the same checks. */
export function useNotify() {
  const exec = useExec()
  return {
    send: (message, target = {}) => exec.exec({ ...target, exec: 'notify', message }),
  }
}

async function notify(spec, options, ctx, signal) {
  const started = performance.now()
  const done = result => ({ durationMs: Math.round(performance.now() - started), ...result })
  if (typeof spec.message !== 'string' || spec.message.trim() === '') {
    return done({ ok: false, error: `notify: \`message\` must be a non-empty string, got ${JSON.stringify(spec.message)}` })
  }
  const line = options.prefix ? `${options.prefix} ${spec.message}` : spec.message
  const url = spec.url ?? options.url
  if (url !== undefined) return done(await post(url, line, signal))
  // resolveInside refuses absolute paths, `..` and symlinks out of the root, and returns an absolute path.
  const path = resolveInside(ctx.worktreeRoot, spec.file ?? options.file, 'notify file')
  await mkdir(new URL('.', pathToFileURL(path)), { recursive: true })
  await appendFile(path, `${line}\n`)
  return done({ ok: true, artifact: path.slice(ctx.worktreeRoot.length + 1) })
}

/** POST the line as text/plain; only to this machine, so a job cannot leak data to the network. */
async function post(url, line, signal) {
  let target
  try {
    target = new URL(url)
  } catch {
    return { ok: false, error: `notify: url ${JSON.stringify(url)} is not a URL: use e.g. http://localhost:8080/hook` }
  }
  if (target.protocol !== 'http:' || !LOCAL_HOSTS.has(target.hostname)) {
    return { ok: false, error: `notify: url ${JSON.stringify(url)} is not local: only http://localhost, 127.0.0.1 or [::1] URLs are allowed` }
  }
  const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: line, signal })
  const body = await response.text()
  return response.ok ? { ok: true, stdout: body } : { ok: false, error: `notify: ${target.href} answered ${response.status}`, stdout: body }
}
