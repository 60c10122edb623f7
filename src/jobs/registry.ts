import { readFileSync } from 'node:fs'
import { relative } from 'pathe'
import type { ExecHandler } from '../types/exec'
import type { Job, JobFile, JobKind, JobMeta, JobTriggers } from '../types/job'
import { suggest } from '../utils/suggest'
import { JobDefinitionError, validateJob } from './define'
import type { ModuleLoader } from './loader'
import { scanJobs } from './scan'
import { checkSteps } from './steps'
import { createStaticRead, loadStaticReader } from './static-cache'
import type { StaticJobInfo } from './static'
import { JobSyntaxError } from './syntax-error'
import { errorLine } from '../utils/messages'
import { lineInStack } from '../utils/stack'

/** A job file that cannot be loaded: the message starts with `file` or `file:line:col`. */
export class JobLoadError extends Error {
  override name = 'JobLoadError'
}

export class UnknownJobError extends Error {
  override name = 'UnknownJobError'
}

/** One row of `gitvan list`. */
export interface JobSummary {
  id: string
  file: string
  kind?: JobKind
  desc?: string
  tags?: string[]
  schedule?: string
  /** Of `schedule` (default UTC). */
  timezone?: string
  on?: JobTriggers
  /** Why the file could not be read (`file:line:col: message`). */
  broken?: string
}

export interface JobRegistryOptions {
  root: string
  dirs: () => readonly string[]
  loader: () => Promise<ModuleLoader>
  /** The registered exec types: a step of another type, or without a field its type needs, breaks its job. */
  execTypes: ReadonlyMap<string, { handler: ExecHandler }>
  /** Called with the scanned list, which it may change in place (the `jobs:scanned` hook). */
  onScanned: (jobs: JobFile[]) => Promise<void>
  /** Where what `summarize` reads statically is remembered, by source. */
  staticCacheDir?: string
}

export function createJobRegistry(options: JobRegistryOptions) {
  let files: JobFile[] | undefined
  const display = (file: string) => relative(options.root, file)
  const readStatic = createStaticRead(options.staticCacheDir)

  async function scan(): Promise<JobFile[]> {
    const found = await scanJobs(options.dirs())
    await options.onScanned(found)
    files = found
    return found
  }

  async function find(id: string): Promise<JobFile> {
    const all = files ?? (await scan())
    const file = all.find(job => job.id === id)
    if (file) return file
    const close = suggest(id, all.map(job => job.id))
    const hint = close.length > 0 ? `did you mean ${close.join(', ')}?` : `known jobs: ${all.map(job => job.id).join(', ') || 'none'}`
    throw new UnknownJobError(`Unknown job "${id}": ${hint} (\`gitvan list\` shows them all)`)
  }

  async function load(id: string): Promise<Job> {
    return loadFile(await find(id))
  }

  async function loadFile(job: JobFile): Promise<Job> {
    const loader = await options.loader()
    let mod: Record<PropertyKey, unknown>
    try {
      mod = await loader.import(job.file)
    } catch (error) {
      throw await describeLoadError(job.file, error)
    }
    try {
      return { ...checked(validateJob(defaultExport(mod) as Job)), file: job.file }
    } catch (error) {
      throw new JobLoadError(`${display(job.file)}: ${(error as Error).message}`)
    }
  }

  /** kind, meta and `on` without running the file when they are literals; else by importing it. */
  async function summarize(job: JobFile): Promise<JobSummary> {
    const base = { id: job.id, file: display(job.file) }
    try {
      const info = await readStatic(readFileSync(job.file, 'utf8'), display(job.file))
      const definition = info ? checkStatic(job, info) : await loadFile(job)
      return { ...base, ...fromMeta(definition.kind, definition.meta), ...(definition.on ? { on: definition.on } : {}) }
    } catch (error) {
      return { ...base, broken: (error as Error).message }
    }
  }

  /** Statically read values get the checks `defineJob()` makes (with stand-ins for the code it cannot read). */
  function checkStatic(job: JobFile, info: StaticJobInfo): Job {
    try {
      return checked(validateJob({ kind: info.kind, meta: info.meta, on: info.on, ...(info.has.run ? { run: () => {} } : {}), ...(info.steps ? { steps: info.steps } : {}) }))
    } catch (error) {
      throw new JobLoadError(`${display(job.file)}: ${(error as Error).message}`)
    }
  }

  function checked(job: Job): Job {
    if (job.steps) checkSteps(job.steps, options.execTypes)
    return job
  }

  async function describeLoadError(file: string, error: unknown): Promise<JobLoadError> {
    // By name: the job may have its own copy of GitVan's modules (`gitvan` aliased to the sources, in tests).
    if ((error as Error)?.name === 'JobDefinitionError') return new JobLoadError(`${display(file)}: ${(error as Error).message}`)
    try {
      const { readStaticJobInfo } = await loadStaticReader()
      readStaticJobInfo(readFileSync(file, 'utf8'), display(file))
    } catch (error_) {
      if (error_ instanceof JobSyntaxError) return new JobLoadError(error_.message)
    }
    const line = lineInStack(error, file)
    return new JobLoadError(`${display(file)}${line ? `:${line}` : ''}: ${errorLine(error)}`)
  }

  return {
    scan,
    find,
    load,
    summarize,
    invalidate: () => {
      files = undefined
    },
  }
}

export type JobRegistry = ReturnType<typeof createJobRegistry>

function fromMeta(kind: JobKind, meta: JobMeta): Omit<JobSummary, 'id' | 'file'> {
  return { kind, desc: meta.desc, tags: meta.tags, schedule: meta.schedule, timezone: meta.timezone }
}

/**
 * The module's default export. jiti's interop makes `mod.default` the module itself when there is none, which
 * `defineJob()`'s checks would then misread (an empty file lacks `run`, `export const job` is an unknown key).
 */
function defaultExport(mod: Record<PropertyKey, unknown>): unknown {
  if (Object.hasOwn(mod, 'default')) return Object.getOwnPropertyDescriptor(mod, 'default')!.value
  const names = Object.keys(mod)
  const esm = Object.hasOwn(mod, '__esModule') || mod[Symbol.toStringTag] === 'Module'
  const found = names.length === 0 ? 'the file exports nothing' : esm ? `it exports ${names.join(', ')} by name only` : 'module.exports is CommonJS, and job files are ES modules'
  throw new JobDefinitionError('export default', `\`export default defineJob({ ... })\` is missing: ${found}`)
}
