import type { ConsolaInstance } from 'consola'
import type { GitVanApp } from '../types/app'
import { hostName } from '../utils/host'
import type { ResolvedGitVanConfig } from '../types/config'
import type { GitVanContext } from '../types/context'
import { createRunLog } from './run-log'
import { createRunLogger } from './run-output'

export interface CreateContextOptions {
  app: GitVanApp
  /** Ids of the jobs that called this one. */
  jobChain?: readonly string[]
  /** The run's abort signal (timeout, shutdown). */
  signal?: AbortSignal
  /** The commit the run is for (default: HEAD). */
  head?: string | null
  branch?: string | null
  /** Commit time (seconds) of `head`: makes `now()` deterministic for triggered runs. */
  commitTime?: number
  /** Worktree the run is about (default: the one GitVan runs in). */
  worktree?: { id: string; root: string; branch: string | null }
  /** The clock, when it is inherited (a nested job keeps its parent's). */
  now?: () => Date
  /** Extra variables on top of the allowlist (e.g. `GITVAN_JOB`). */
  env?: Record<string, string>
}

/** One logger for every run, made when a run first uses it (it loads consola). */
let logger: ConsolaInstance | undefined

/**
 * Build the context of one run. `now()` is deterministic: `GITVAN_NOW` (ISO date) wins, then the
 * triggering commit's time, and only then the wall clock.
 */
export function createGitVanContext(options: CreateContextOptions): GitVanContext {
  const { app } = options
  const { repo, options: config } = app
  const head = options.head === undefined ? repo.head : options.head
  const branch = options.branch === undefined ? repo.branch : options.branch
  const worktree = options.worktree ?? { id: repo.worktreeId, root: repo.root, branch: repo.branch }
  return {
    root: repo.root,
    worktreeRoot: worktree.root,
    head,
    branch,
    env: {
      ...pickEnv(config.env),
      GITVAN_ROOT: repo.root,
      GITVAN_WORKTREE: worktree.id,
      GITVAN_HOST: hostName(),
      ...(head ? { GITVAN_SHA: head } : {}),
      ...(branch ? { GITVAN_BRANCH: branch } : {}),
      ...options.env,
    },
    now: options.now ?? createClock(options.commitTime),
    worktree: { id: worktree.id, branch: worktree.branch },
    config,
    get logger() {
      return (logger ??= createRunLogger())
    },
    runLog: createRunLog({ maxBytes: config.logs.maxBytes, secrets: secretValues(config) }),
    app,
    jobChain: options.jobChain ?? [],
    signal: options.signal ?? new AbortController().signal,
  }
}

/** The allowlisted variables of GitVan's own environment. */
export function pickEnv(names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of names) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

/** The values logs must never show: those of `logs.secrets` and of the LLM key variable, as GitVan sees them. */
export function secretValues(config: Pick<ResolvedGitVanConfig, 'logs' | 'llm'>): string[] {
  const names = config.llm.apiKeyEnv ? [...config.logs.secrets, config.llm.apiKeyEnv] : config.logs.secrets
  return names.flatMap(name => process.env[name] || [])
}

function createClock(commitTime?: number): () => Date {
  const fixed = process.env.GITVAN_NOW
  if (fixed) {
    const time = Date.parse(fixed)
    if (Number.isNaN(time)) throw new Error(`GITVAN_NOW="${fixed}" is not a date: use an ISO date such as 2024-01-31T12:00:00Z`)
    return () => new Date(time)
  }
  if (commitTime !== undefined) return () => new Date(commitTime * 1000)
  return () => new Date()
}
