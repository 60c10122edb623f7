import { existsSync, realpathSync, statSync } from 'node:fs'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { defineGitVanCommand } from '../command'
import { join, relative, resolve } from 'pathe'
import { GitError } from '../../git/error'
import { resolveRepo } from '../../git/repo'
import { runGit } from '../../git/command'
import { addPrepareScript, tsconfigAdvice } from '../project-setup'
import { loadApp, resolveCwd } from '../shared'

const CONFIG = `import { defineGitVanConfig } from 'gitvan'

// Every key is optional; the defaults: jobs in jobs/, templates in templates/, composables in composables/.
export default defineGitVanConfig({
  // plugins: ['gitvan-plugin-notify'],
  // hooks: { 'job:after': (event, result) => console.log(event.id, result.ok ? 'ok' : result.error) },
})
`

const JOB = `// \`gitvan run hello\`, or \`gitvan run hello --payload '{"name":"Ada"}'\`. No import lines: defineJob and the
// composables (useTemplate, useGit, useExec, ...) are auto-imported.
export default defineJob({
  meta: { desc: 'Say hello through templates/hello.njk' },
  run({ payload }) {
    const text = useTemplate().render('hello.njk', { name: payload?.name ?? 'world' })
    return { ok: true, stdout: text }
  },
})
`

const TEMPLATE = 'Hello {{ name }}, from GitVan on {{ git.branch or "a detached HEAD" }}.\n'

const TSCONFIG = '{\n  "extends": "./.gitvan/tsconfig.json"\n}\n'

/** Config file names GitVan reads: one of them existing means the project has a config. */
const CONFIG_FILES = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs', 'json'].map(ext => `gitvan.config.${ext}`)

export default defineGitVanCommand({
  meta: { name: 'init', description: 'Set up GitVan: a config, an example job and template, .gitignore, types, a prepare script (never overwrites)' },
  args: {
    dir: { type: 'positional', required: false, description: 'Directory to set up, created and `git init`-ed if needed (default: the current repository)' },
    cwd: { type: 'string', description: 'Run as if started in this directory', valueHint: 'dir' },
    remote: { type: 'string', description: 'Share the work through this Git remote: `remote` in the new config, and fetch refspecs for GitVan\'s refs', valueHint: 'name' },
  },
  async run({ args }) {
    const root = args.dir ? await initRepo(resolve(resolveCwd(args.cwd), args.dir)) : (await resolveRepo(resolveCwd(args.cwd))).root
    const show = (file: string) => relative(root, file)
    const create = async (file: string, content: string) => {
      const wrote = await writeNew(file, content)
      console.log(wrote ? `wrote ${show(file)}` : `left ${show(file)} alone (it exists)`)
    }

    if (args.remote !== undefined) {
      const { addFetchRefspecs } = await import('../../git/remote')
      const { gitvanRefspecs } = await import('../../daemon/remote-sync')
      const added = await addFetchRefspecs(root, args.remote, gitvanRefspecs('refs/notes/gitvan/results'))
      console.log(added.length > 0 ? `git fetch from ${args.remote} now brings receipts, logs and the LLM cache (added ${added.join(' ')})` : `left the fetch refspecs of ${args.remote} alone (they bring GitVan's refs already)`)
    }
    const existingConfig = CONFIG_FILES.find(name => existsSync(join(root, name)))
    if (existingConfig) console.log(`left ${existingConfig} alone (it exists)${args.remote === undefined ? '' : `: add remote: '${args.remote}' to it to share the work through ${args.remote}`}`)
    else await create(join(root, 'gitvan.config.ts'), args.remote === undefined ? CONFIG : CONFIG.replace('  // plugins:', `  // Runners on every machine share the work through this remote (docs/concepts/remote.md).\n  remote: '${args.remote}',\n  // plugins:`))

    // The config decides where jobs and templates live, so the app is loaded after it exists.
    const app = await loadApp({ cwd: root })
    try {
      await create(join(app.jobsDirs[0]!, 'hello.ts'), JOB)
      await create(join(app.templatesDirs[0]!, 'hello.njk'), TEMPLATE)
      console.log(await ignoreGitVanDir(join(root, '.gitignore')))
      await create(join(root, 'tsconfig.json'), TSCONFIG)
      const advice = await tsconfigAdvice(app, join(root, 'tsconfig.json'))
      if (advice) console.log(advice)
      const prepare = await addPrepareScript(root)
      if (prepare) console.log(prepare)
      const { writeTypes } = await import('../../jobs/prepare')
      await writeTypes(app)
      console.log('generated .gitvan/types and .gitvan/tsconfig.json (as `gitvan prepare` does)')
    } finally {
      await app.close()
    }
    console.log('next: gitvan run hello')
  },
})

/** `gitvan init <dir>`: create the dir and make it a repository unless it is the top of one already. */
async function initRepo(dir: string): Promise<string> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new Error(`Cannot set up GitVan in ${dir}: it is a file, not a directory; pass a directory (created if missing)`)
  }
  await mkdir(dir, { recursive: true })
  const real = realpathSync(dir)
  const top = await resolveRepo(real).then(repo => repo.root, (error: unknown) => {
    if (error instanceof GitError) return undefined
    throw error
  })
  if (top === real) return real
  await runGit(['init', '-q'], { cwd: real })
  console.log(`initialized a git repository in ${dir}`)
  return (await resolveRepo(real)).root
}

/** Write `content` to a new file; `false` (and nothing written) when the file exists. */
async function writeNew(file: string, content: string): Promise<boolean> {
  await mkdir(join(file, '..'), { recursive: true })
  try {
    await writeFile(file, content, { flag: 'wx' })
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
}

/** Make sure `.gitvan/` (generated types, caches) is ignored: create .gitignore, or append to it. */
async function ignoreGitVanDir(file: string): Promise<string> {
  const current = existsSync(file) ? await readFile(file, 'utf8') : undefined
  if (current === undefined) {
    await writeFile(file, '.gitvan/\n', { flag: 'wx' })
    return 'wrote .gitignore'
  }
  if (current.split('\n').some(line => /^\/?\.gitvan\/?$/.test(line.trim()))) return 'left .gitignore alone (it ignores .gitvan/ already)'
  await appendFile(file, `${current === '' || current.endsWith('\n') ? '' : '\n'}.gitvan/\n`)
  return 'added .gitvan/ to .gitignore'
}
