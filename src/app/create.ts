import { createHooks } from 'hookable'
import { resolve } from 'pathe'
import { loadGitVanConfig } from '../config/load'
import { builtinExecTypes } from '../exec/builtins'
import { registerExecType } from '../exec/registry'
import type { ExecTypes } from '../exec/registry'
import { resolveRepo } from '../git/repo'
import { createAutoImports } from '../jobs/imports'
import { createModuleLoader } from '../jobs/loader'
import type { ModuleLoader } from '../jobs/loader'
import { createJobRegistry } from '../jobs/registry'
import { executeJob } from '../jobs/run'
import type { GitVanApp, GitVanImport } from '../types/app'
import type { GitVanConfig } from '../types/config'
import type { GitVanHooks } from '../types/hooks'
import { gitvanPackage } from '../utils/self'

export interface CreateGitVanOptions {
  /** Any directory inside the repository (default: process.cwd()). */
  cwd?: string
  configFile?: string
  /** Highest-priority config (CLI flags). */
  overrides?: GitVanConfig
}

/** Load the repository and config, register exec types and hooks: the app that runs jobs. */
export async function createGitVan(options: CreateGitVanOptions = {}): Promise<GitVanApp & { jobs: ReturnType<typeof createJobRegistry> }> {
  const repo = await resolveRepo(resolve(options.cwd ?? process.cwd()))
  const { config, configFile, unknownKeys } = await loadGitVanConfig({ cwd: repo.root, configFile: options.configFile, overrides: options.overrides })
  const pkg = gitvanPackage()
  const hooks = createHooks<GitVanHooks>()
  const execTypes: ExecTypes = new Map()
  const imports: GitVanImport[] = []
  const jobsDirs = [resolve(repo.root, config.jobsDir)]
  const templatesDirs = [resolve(repo.root, config.templatesDir)]
  const importsDirs = config.importsDirs.map(dir => resolve(repo.root, dir))
  let loader: Promise<ModuleLoader> | undefined

  const createLoader = async () =>
    createModuleLoader({
      root: repo.root,
      entry: pkg.entry,
      autoImports: await createAutoImports({ imports, dirs: importsDirs }),
      sharedDirs: [...importsDirs, ...jobsDirs],
    })

  const jobs = createJobRegistry({
    root: repo.root,
    dirs: () => jobsDirs,
    loader: () => (loader ??= createLoader()),
    onScanned: list => hooks.callHook('jobs:scanned', list) as Promise<void>,
  })

  const app: GitVanApp & { jobs: typeof jobs; configFile?: string; unknownKeys: string[] } = {
    version: pkg.version,
    options: config,
    repo,
    hooks,
    hook: hooks.hook.bind(hooks),
    callHook: hooks.callHook.bind(hooks),
    jobsDirs,
    templatesDirs,
    imports,
    importsDirs,
    execTypes,
    jobs,
    configFile,
    unknownKeys,
    scanJobs: () => jobs.scan(),
    loadJob: id => jobs.load(id),
    runJob: async (id, runOptions) => executeJob(app, id, await jobs.load(id), runOptions),
    importModule: async file => (await (loader ??= createLoader())).import(file),
    addExecType: (name, handler, owner = 'the config') => registerExecType(execTypes, name, handler, owner),
    addImports: entries => {
      imports.push(...[entries].flat())
      loader = undefined
    },
    addImportsDir: dir => {
      importsDirs.push(resolve(repo.root, dir))
      loader = undefined
    },
    addJobsDir: dir => {
      jobsDirs.push(resolve(repo.root, dir))
      jobs.invalidate()
    },
    addTemplatesDir: dir => {
      templatesDirs.push(resolve(repo.root, dir))
    },
    close: async () => {
      await hooks.callHook('close', app)
    },
  }

  for (const [name, handler] of Object.entries(builtinExecTypes)) registerExecType(execTypes, name, handler, 'gitvan')
  hooks.addHooks(config.hooks as Parameters<typeof hooks.addHooks>[0])
  await hooks.callHook('config:resolved', config)
  await hooks.callHook('exec:types', (name, handler) => registerExecType(execTypes, name, handler, 'an exec:types hook'))
  return app
}
