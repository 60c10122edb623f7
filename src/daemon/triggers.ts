import picomatch from 'picomatch'
import type { CommitInfo, FileStatus } from '../types/git'
import type { CommitFilter, Globs, JobTriggers, PathFilter, TagFilter } from '../types/job'

/** A job's triggers compiled once: the daemon tests thousands of commits against them. */
export interface TriggerMatcher {
  commit?: (commit: CommitInfo, branch: string | null) => boolean
  tag?: (tag: string) => boolean
  branch?: (branch: string) => boolean
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const CONVENTIONAL = /^(\w+)(?:\(([^)]*)\))?!?:\s/

export function compileTriggers(on: JobTriggers | undefined): TriggerMatcher {
  const matcher: TriggerMatcher = {}
  if (on?.commit) matcher.commit = compileCommitFilter(on.commit === true ? {} : on.commit)
  if (on?.tag) matcher.tag = compileTagFilter(on.tag)
  if (on?.branch) matcher.branch = globs(on.branch)
  return matcher
}

/** Every given filter must hold; a filter that is absent holds. */
export function compileCommitFilter(filter: CommitFilter): (commit: CommitInfo, branch: string | null) => boolean {
  const checks: ((commit: CommitInfo, branch: string | null) => boolean)[] = []
  if (filter.branches) {
    const branch = globs(filter.branches)
    checks.push((_, name) => name !== null && branch(name))
  }
  if (filter.paths) checks.push(compilePathFilter(filter.paths))
  if (filter.message) {
    const message = new RegExp(filter.message)
    checks.push(commit => message.test(commit.body ? `${commit.subject}\n\n${commit.body}` : commit.subject))
  }
  if (filter.author) {
    const author = globs(filter.author, { nocase: true })
    checks.push(commit => author(commit.author.name) || author(commit.author.email))
  }
  if (filter.type || filter.scope) {
    const types = filter.type ? new Set([filter.type].flat()) : undefined
    const scopes = filter.scope ? new Set([filter.scope].flat()) : undefined
    checks.push((commit) => {
      const parsed = parseConventional(commit.subject)
      if (!parsed) return false
      return (!types || types.has(parsed.type)) && (!scopes || (parsed.scope !== undefined && scopes.has(parsed.scope)))
    })
  }
  if (filter.merge !== undefined) {
    const merge = filter.merge
    const into = typeof merge === 'object' ? globs(merge.into) : undefined
    checks.push((commit, branch) => {
      const isMerge = commit.parents.length > 1
      if (merge === false) return !isMerge
      return isMerge && (!into || (branch !== null && into(branch)))
    })
  }
  return (commit, branch) => checks.every(check => check(commit, branch))
}

const STATUS_KIND: Partial<Record<FileStatus, keyof PathFilter>> = { A: 'added', C: 'added', M: 'modified', T: 'modified', R: 'added', D: 'deleted' }

/**
 * Paths match against the commit's changes to its first parent (for a merge: what it brought into the
 * branch). A rename counts as its new path added and, for `deleted`, its old path deleted.
 */
function compilePathFilter(filter: Globs | PathFilter): (commit: CommitInfo) => boolean {
  const byKind = typeof filter === 'string' || Array.isArray(filter) ? { any: filter } : filter
  const kinds = Object.entries(byKind).map(([kind, patterns]) => [kind as keyof PathFilter, globs(patterns!, { dot: true })] as const)
  return commit =>
    commit.files.some(file =>
      kinds.some(([kind, match]) => {
        if (kind === 'any') return match(file.path) || (file.from !== undefined && match(file.from))
        if (kind === 'deleted' && file.status === 'R') return file.from !== undefined && match(file.from)
        return STATUS_KIND[file.status] === kind && match(file.path)
      }),
    )
}

function compileTagFilter(filter: Globs | TagFilter): (tag: string) => boolean {
  const { match, semver } = typeof filter === 'string' || Array.isArray(filter) ? { match: filter, semver: false } : filter
  const name = match ? globs(match) : () => true
  return tag => name(tag) && (!semver || SEMVER.test(tag))
}

/** `feat(api)!: add x` -> `{ type: 'feat', scope: 'api' }`; `null` for other subjects. */
export function parseConventional(subject: string): { type: string; scope?: string } | null {
  const match = CONVENTIONAL.exec(subject)
  if (!match) return null
  return match[2] === undefined ? { type: match[1]! } : { type: match[1]!, scope: match[2] }
}

function globs(patterns: Globs, options: picomatch.PicomatchOptions = {}): (value: string) => boolean {
  return picomatch([patterns].flat(), options)
}
