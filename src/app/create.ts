import { isAbsolute, join, relative, resolve } from 'pathe'
import { loadGitVanConfig } from '../config/load'
import { builtinExecTypes } from '../exec/builtins'
import { registerExecType } from '../exec/registry'
import type { ExecTypes } from '../exec/registry'
import { resolveRepo } from '../git/repo'
import { createAutoImports } from '../jobs/imports'
import { createModuleLoader } from '../jobs/loader'
import type { ModuleLoader } from '../jobs/loader'
import { createJobRegistry } from '../jobs/registry'
import { executeJob } from '../jobs/execute'
import { createReceiptStore } from '../receipts/store'
import { createLocalRefStore, createRemoteRefStore } from '../git/ref-store'
import { createLLMRegistry } from '../llm/registry'
import { installPlugins } from '../plugins/install'
import { configPluginSources, localPluginSources } from '../plugins/sources'
import type { GitVanApp, GitVanImport } from '../types/app'
import type { GitVanConfig } from '../types/config'
import type { RepoInfo } from '../types/git'
import type { InstalledGitVanPlugin } from '../types/plugin'
import { gitvanPackage } from '../utils/self'
import { warnUnknownKeys } from './config-keys'
import { createGitVanHooks, registerHooks } from '../hooks/hooks'
import { currentOwner } from '../hooks/owner'

export interface CreateGitVanOptions {
  /** Any directory inside the repository (default: process.cwd()). */
  cwd?: string
  /** The repository as `resolveRepo` read it, when the caller has already (then `cwd` is not read). */
  repo?: RepoInfo
  configFile?: string
  /** Highest-priority config (CLI flags). */
  overrides?: GitVanConfig
}

/** Owner of the hooks and exec types the config registers. */
const CONFIG_OWNER = 'gitvan.config'

/**
 * Load the repository and config, register the config's hooks, install plugins (the config's, then the local
 * ones in `pluginsDir`), then call `config:resolved`, `exec:types` and `llm:providers`: the app that runs jobs.
 */
export async function createGitVan(options: CreateGitVanOptions = {}): Promise<GitVanApp & { jobs: ReturnType<typeof createJobRegistry> }> {
  const repo = options.repo ?? await resolveRepo(resolve(options.cwd ?? process.cwd()))
  // Inside the git dir: never in the tracked files, whether or not `gitvan init` ignored `.gitvan/`, and gone with
  // the repository (shared by its worktrees).
  const cacheDir = join(repo.commonDir, 'gitvan/cache')
  const { config, configFile, unknownKeys, sourceOf } = await loadGitVanConfig({ cwd: repo.root, configFile: options.configFile, overrides: options.overrides, cacheDir: join(cacheDir, 'jiti') })
  const configName = configFile ? relative(repo.root, configFile) : 'the config'
  const pkg = gitvanPackage()
  const hooks = createGitVanHooks()
  const execTypes: ExecTypes = new Map()
  const llmProviders = createLLMRegistry()
  const plugins: InstalledGitVanPlugin[] = []
  const imports: GitVanImport[] = []
  const jobsDirs = [resolve(repo.root, config.jobsDir)]
  const templatesDirs = [resolve(repo.root, config.templatesDir)]
  const importsDirs = config.importsDirs.map(dir => resolve(repo.root, dir))
  const pluginsDir = resolve(repo.root, config.pluginsDir)
  let loader: Promise<ModuleLoader> | undefined
  const refs = config.remote === false ? createLocalRefStore(repo.root) : createRemoteRefStore(repo.root, config.remote)
  const receipts = createReceiptStore({ cwd: repo.root, ref: config.receipts.ref, refs, onWritten: receipt => hooks.callHook('receipt:written', receipt) })

  const createLoader = async () =>
    createModuleLoader({
      root: repo.root,
      entries: pkg.entries,
      autoImports: () => createAutoImports({ imports, dirs: importsDirs, cacheDir: join(cacheDir, 'imports') }),
      importsDirs,
      sharedDirs: [...importsDirs, pluginsDir],
      jobsDirs,
      cacheDir: join(cacheDir, 'jiti'),
    })

  const jobs = createJobRegistry({
    root: repo.root,
    dirs: () => jobsDirs,
    loader: () => (loader ??= createLoader()),
    execTypes,
    onScanned: async list => hooks.callHook('jobs:scanned', list),
    staticCacheDir: join(cacheDir, 'static'),
  })

  const app: GitVanApp & { jobs: typeof jobs } = {
    version: pkg.version,
    options: config,
    repo,
    configFile,
    hooks,
    hook: hooks.hook,
    callHook: hooks.callHook,
    jobsDirs,
    templatesDirs,
    imports,
    importsDirs,
    execTypes,
    llmProviders,
    plugins,
    jobs,
    scanJobs: () => jobs.scan(),
    loadJob: id => jobs.load(id),
    receipts,
    refs,
    runJob: async (id, runOptions) => {
      const run = await executeJob(app, id, await jobs.load(id), runOptions)
      if (!run.receipt) return run
      const [receipt] = await receipts.append([{ receipt: run.receipt, log: run.log }])
      return { ...run, receipt }
    },
    importModule: async file => (await (loader ??= createLoader())).import(file),
    reloadModules: async (files) => {
      jobs.invalidate()
      return (await loader)?.invalidate(files) ?? 'all'
    },
    addExecType: (name, handler, owner = currentOwner() ?? 'app.addExecType()') => registerExecType(execTypes, name, handler, owner),
    addLLMProvider: (provider) => {
      llmProviders.add(provider)
    },
    addImports: (entries) => {
      imports.push(...[entries].flat())
      loader = undefined
    },
    addImportsDir: (dir) => {
      importsDirs.push(resolve(repo.root, dir))
      loader = undefined
    },
    addJobsDir: (dir) => {
      jobsDirs.push(resolve(repo.root, dir))
      jobs.invalidate()
    },
    addTemplatesDir: (dir) => {
      templatesDirs.push(resolve(repo.root, dir))
    },
    close: async () => {
      await hooks.callHook('close', app)
    },
  }

  for (const [name, handler] of Object.entries(builtinExecTypes)) registerExecType(execTypes, name, handler, 'gitvan')
  registerHooks(app, config.hooks, CONFIG_OWNER, configName)
  await installPlugins(app, [...configPluginSources(app, config.plugins, configName), ...(await localPluginSources(app))], plugins, configName)
  await hooks.callHook('config:resolved', config)
  await collectExecTypes(app)
  await hooks.callHook('llm:providers', llmProviders)
  const shown = (source: string) => (isAbsolute(source) ? relative(repo.root, source) : source)
  warnUnknownKeys(unknownKeys, plugins, key => shown(sourceOf(key)))
  return app
}

/** `exec:types` hooks register as their owner; a clash is fatal, as with `addExecType`, not a skipped hook. */
async function collectExecTypes(app: GitVanApp): Promise<void> {
  const errors: unknown[] = []
  await app.callHook('exec:types', (name, handler) => {
    try {
      app.addExecType(name, handler)
    } catch (error) {
      errors.push(error)
    }
  })
  if (errors.length > 0) throw errors[0]
}
