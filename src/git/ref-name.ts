import { gitLayerError } from './error'

// Characters `git check-ref-format` refuses anywhere in a name: controls, space, DEL and ~ ^ : ? * [ \
const FORBIDDEN = /[\u0000-\u0020\u007F~^:?*[\\]/

/**
 * Why `ref` is not a full ref name git accepts (the rules of `git check-ref-format`, plus: HEAD or under
 * `refs/`), or `null` when it is fine. Checked up front so a bad name fails with a clear message instead of
 * looking like a lost compare-and-swap.
 */
export function refNameProblem(ref: string): string | null {
  if (ref !== 'HEAD' && !ref.startsWith('refs/')) return 'not a full ref name: use HEAD or a name under refs/'
  if (FORBIDDEN.test(ref)) return 'contains a space, control character or one of ~ ^ : ? * [ \\'
  if (ref.includes('..')) return 'contains ".."'
  if (ref.includes('@{')) return 'contains "@{"'
  if (ref.endsWith('.')) return 'ends with "."'
  for (const part of ref.split('/')) {
    if (part === '') return 'has an empty path component'
    if (part.startsWith('.')) return `component "${part}" starts with "."`
    if (part.endsWith('.lock')) return `component "${part}" ends with ".lock"`
  }
  return null
}

export function assertRefName(cwd: string, ref: unknown, what = 'ref name'): asserts ref is string {
  const problem = typeof ref === 'string' ? refNameProblem(ref) : 'not a string'
  if (problem) {
    throw gitLayerError(cwd, `Invalid ${what} ${JSON.stringify(ref)} in ${cwd}: ${problem} (e.g. refs/gitvan/locks/build)`)
  }
}
