import picomatch from 'picomatch'
import type { CommitInfo, FileStatus } from '../types/git'
import type { CommitFilter, Globs, JobTriggers, NameFilter, PathFilter } from '../types/job'

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
  if (on?.tag) matcher.tag = compileNameFilter(on.tag, true)
  if (on?.branch) matcher.branch = compileNameFilter(on.branch, false)
  return matcher
}

/** Every given filter must hold; a filter that is absent holds. */
export function compileCommitFilter(filter: CommitFilter): (commit: CommitInfo, branch: string | null) => boolean {
  const checks: ((commit: CommitInfo, branch: string | null) => boolean)[] = []
  if (filter.branches || filter.branchesIgnore) {
    const branch = included(filter.branches ?? '**', filter.branchesIgnore)
    checks.push((_, name) => name !== null && branch(name))
  }
  if (filter.paths || filter.pathsIgnore) checks.push(compilePathFilter(filter.paths ?? '**', filter.pathsIgnore))
  if (filter.message) {
    const message = new RegExp(filter.message)
    checks.push(commit => message.test(commit.body ? `${commit.subject}\n\n${commit.body}` : commit.subject))
  }
  if (filter.author) {
    const author = included(filter.author, undefined, { nocase: true })
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
    const into = typeof merge === 'object' ? included(merge.into) : undefined
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
 * branch). A rename counts as its new path added and, for `deleted`, its old path deleted. A changed path counts
 * when the patterns include it (read in order, `!` excluding) and `ignore` does not; the commit matches when at
 * least one changed path counts, so a commit that only touches ignored paths does not.
 */
function compilePathFilter(filter: Globs | PathFilter, ignore?: Globs): (commit: CommitInfo) => boolean {
  const byKind = typeof filter === 'string' || Array.isArray(filter) ? { any: filter } : filter
  const kinds = Object.entries(byKind).map(([kind, patterns]) => [kind as keyof PathFilter, included(patterns!, ignore, { dot: true })] as const)
  return commit =>
    commit.files.some(file =>
      kinds.some(([kind, match]) => {
        if (kind === 'any') return match(file.path) || (file.from !== undefined && match(file.from))
        if (kind === 'deleted' && file.status === 'R') return file.from !== undefined && match(file.from)
        return STATUS_KIND[file.status] === kind && match(file.path)
      }),
    )
}

/** `on.tag` (globs, or `{ match, ignore, semver }`) and `on.branch` (globs, or `{ match, ignore }`). */
function compileNameFilter(filter: Globs | NameFilter, isTag: boolean): (name: string) => boolean {
  const { match, ignore, semver } = typeof filter === 'string' || Array.isArray(filter) ? { match: filter, ignore: undefined, semver: false } : filter
  const name = included(match ?? '**', ignore)
  return value => name(value) && (!isTag || !semver || SEMVER.test(value))
}

/** `feat(api)!: add x` -> `{ type: 'feat', scope: 'api' }`; `null` for other subjects. */
export function parseConventional(subject: string): { type: string; scope?: string } | null {
  const match = CONVENTIONAL.exec(subject)
  if (!match) return null
  return match[2] === undefined ? { type: match[1]! } : { type: match[1]!, scope: match[2] }
}

/**
 * Whether a name is included, as GitHub Actions reads filter lists: patterns in order, each positive pattern
 * including what it matches and each `!pattern` excluding it again, the last one that matches deciding; then
 * `ignore` (its `*-ignore` lists) excludes. A list of only `!` patterns includes nothing.
 */
export function included(patterns: Globs, ignore?: Globs, options: picomatch.PicomatchOptions = {}): (value: string) => boolean {
  const rules = [patterns].flat().map(pattern => pattern.startsWith('!')
    ? { include: false, test: picomatch(pattern.slice(1), options) }
    : { include: true, test: picomatch(pattern, options) })
  const ignored = ignore ? included(ignore, undefined, options) : undefined
  return (value) => {
    let verdict = false
    for (const rule of rules) if (rule.include !== verdict && rule.test(value)) verdict = rule.include
    return verdict && !ignored?.(value)
  }
}
