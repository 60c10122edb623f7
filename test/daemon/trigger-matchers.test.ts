import { describe, expect, it } from 'vitest'
import { compileTriggers, parseConventional } from '../../src/daemon/triggers'
import type { ChangedPath, CommitInfo } from '../../src/types/git'

function commit(subject: string, files: ChangedPath[] = [], extra: Partial<CommitInfo> = {}): CommitInfo {
  return { sha: 'a'.repeat(40), parents: ['b'.repeat(40)], author: { name: 'Ada Lovelace', email: 'ada@example.com' }, authorTime: 0, commitTime: 0, subject, body: '', files, ...extra }
}

const changed = (status: ChangedPath['status'], path: string, from?: string): ChangedPath => ({ status, path, ...(from ? { from } : {}) })

describe('commit triggers', () => {
  it('on.commit: true matches every commit on any branch, detached too', () => {
    const { commit: match } = compileTriggers({ commit: true })
    expect(match!(commit('x'), 'main')).toBe(true)
    expect(match!(commit('x'), null)).toBe(true)
  })

  it('branch globs', () => {
    const { commit: match } = compileTriggers({ commit: { branches: ['main', 'release/*'] } })
    expect(['main', 'release/1.0', 'feature/x'].map(b => match!(commit('x'), b))).toEqual([true, true, false])
    expect(match!(commit('x'), null)).toBe(false)
  })

  it('path globs against any change, or only added / modified / deleted', () => {
    const any = compileTriggers({ commit: { paths: 'src/**' } }).commit!
    expect(any(commit('x', [changed('M', 'src/a/b.ts')]), 'main')).toBe(true)
    expect(any(commit('x', [changed('M', 'docs/a.md')]), 'main')).toBe(false)
    expect(any(commit('x', [changed('R', 'lib/a.ts', 'src/a.ts')]), 'main')).toBe(true)
    const added = compileTriggers({ commit: { paths: { added: 'migrations/*.sql' } } }).commit!
    expect(added(commit('x', [changed('A', 'migrations/1.sql')]), 'main')).toBe(true)
    expect(added(commit('x', [changed('M', 'migrations/1.sql')]), 'main')).toBe(false)
    const deleted = compileTriggers({ commit: { paths: { deleted: 'src/**' } } }).commit!
    expect(deleted(commit('x', [changed('D', 'src/x.ts')]), 'main')).toBe(true)
    expect(deleted(commit('x', [changed('R', 'lib/x.ts', 'src/x.ts')]), 'main')).toBe(true)
    expect(deleted(commit('x', [changed('A', 'src/x.ts')]), 'main')).toBe(false)
    const dotfiles = compileTriggers({ commit: { paths: '**/*.yml' } }).commit!
    expect(dotfiles(commit('x', [changed('M', '.github/workflows/ci.yml')]), 'main')).toBe(true)
  })

  it('message regex, author globs, conventional type and scope', () => {
    const { commit: match } = compileTriggers({ commit: { message: 'BREAKING', author: '*@example.com', type: ['feat', 'fix'], scope: 'api' } })
    expect(match!(commit('feat(api): x', [], { body: 'BREAKING CHANGE: y' }), 'main')).toBe(true)
    expect(match!(commit('feat(api): x'), 'main')).toBe(false)
    expect(match!(commit('chore(api): x', [], { body: 'BREAKING' }), 'main')).toBe(false)
    expect(match!(commit('feat(ui): x', [], { body: 'BREAKING' }), 'main')).toBe(false)
    expect(match!(commit('feat(api): x', [], { body: 'BREAKING', author: { name: 'Bob', email: 'bob@other.org' } }), 'main')).toBe(false)
    const byName = compileTriggers({ commit: { author: 'ada*' } }).commit!
    expect(byName(commit('x'), 'main')).toBe(true)
  })

  it('merges: only merges, no merges, merges into a branch', () => {
    const merge = commit('Merge branch x', [], { parents: ['b'.repeat(40), 'c'.repeat(40)] })
    const plain = commit('x')
    expect(compileTriggers({ commit: { merge: true } }).commit!(merge, 'dev')).toBe(true)
    expect(compileTriggers({ commit: { merge: true } }).commit!(plain, 'dev')).toBe(false)
    expect(compileTriggers({ commit: { merge: false } }).commit!(merge, 'dev')).toBe(false)
    const into = compileTriggers({ commit: { merge: { into: 'main' } } }).commit!
    expect([into(merge, 'main'), into(merge, 'dev'), into(plain, 'main')]).toEqual([true, false, false])
  })

  it('parses conventional subjects', () => {
    expect(parseConventional('feat(api)!: add')).toEqual({ type: 'feat', scope: 'api' })
    expect(parseConventional('fix: x')).toEqual({ type: 'fix' })
    expect(parseConventional('Merge branch x')).toBeNull()
  })
})

describe('tag and branch triggers', () => {
  it('tag globs and semver', () => {
    expect(compileTriggers({ tag: 'v*' }).tag!('v1.0.0')).toBe(true)
    expect(compileTriggers({ tag: ['release-*'] }).tag!('v1.0.0')).toBe(false)
    const semver = compileTriggers({ tag: { semver: true } }).tag!
    expect(['v1.2.3', '1.2.3-rc.1', 'v1.2', 'latest'].map(semver)).toEqual([true, true, false, false])
    expect(compileTriggers({ tag: { match: 'v*', semver: true } }).tag!('1.2.3')).toBe(false)
  })

  it('branch globs', () => {
    const match = compileTriggers({ branch: 'feature/**' }).branch!
    expect([match('feature/a/b'), match('main')]).toEqual([true, false])
  })
})
