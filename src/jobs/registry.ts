import { readFile } from 'node:fs/promises'
import { relative } from 'pathe'
import type { ExecHandler } from '../types/exec'
import type { Job, JobFile, JobKind, JobMeta, JobTriggers } from '../types/job'
import { suggest } from '../utils/suggest'
import { JobDefinitionError, validateJob } from './define'
import type { ModuleLoader } from './loader'
import { scanJobs } from './scan'
import { checkSteps } from './steps'
import { JobSyntaxError, readStaticJobInfo } from './static'
import type { StaticJobInfo } from './static'
import { errorLine } from '../utils/messages'

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
}

export function createJobRegistry(options: JobRegistryOptions) {
  let files: JobFile[] | undefined
  const display = (file: string) => relative(options.root, file)

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
    let mod: { default?: unknown }
    try {
      mod = await loader.import(job.file)
    } catch (error) {
      throw await describeLoadError(job.file, error)
    }
    try {
      if (mod?.default === undefined) throw new JobDefinitionError('export default', '`export default defineJob({ ... })` is missing')
      return checked(validateJob(mod.default as Job))
    } catch (error) {
      throw new JobLoadError(`${display(job.file)}: ${(error as Error).message}`)
    }
  }

  /** kind, meta and `on` without running the file when they are literals; else by importing it. */
  async function summarize(job: JobFile): Promise<JobSummary> {
    const base = { id: job.id, file: display(job.file) }
    try {
      const info = readStaticJobInfo(await readFile(job.file, 'utf8'), display(job.file))
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
    if (error instanceof JobDefinitionError) return new JobLoadError(`${display(file)}: ${error.message}`)
    try {
      readStaticJobInfo(await readFile(file, 'utf8'), display(file))
    } catch (error_) {
      if (error_ instanceof JobSyntaxError) return new JobLoadError(error_.message)
    }
    const message = errorLine(error)
    const at = (error as Error)?.stack?.match(new RegExp(`${escape(file)}:(\\d+):(\\d+)`))
    return new JobLoadError(`${display(file)}${at ? `:${at[1]}:${at[2]}` : ''}: ${message}`)
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
