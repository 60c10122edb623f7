import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { LEASE_PREFIX, LeaseRefError, leaseRef, parseLeaseRef } from '../../src/locks/lease-ref'
import { createRepo, sh } from '../utils/repo'

const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'

// Ids git refuses or mangles in a ref name, ids that collide on case-insensitive or normalising file systems,
// and ids that look like the encoding itself.
const ODD_IDS = [
  'docs:changelog', 'docs/changelog', 'docs:changelog/extra', '-leading-dash', '--end-of-options', 'build.lock', 'x.lock',
  '..', 'a..b', '.hidden', 'trailing.', 'at@{1}', '@', 'space in id', 'tab\tid', 'new\nline', 'tilde~1', 'caret^',
  'star*', 'question?', 'bracket[', 'back\\slash', 'Docs:Changelog', 'docs:changelog ', 'ünïcødé', 'u\u0308nicode',
  '日本語', '😀', '%3A', '%', 'percent%41', 'HEAD', 'refs/heads/main', 'v1.2.3', 'cron:2024-01-01T00:00Z',
]

describe('leaseRef', () => {
  it('names refs/gitvan/locks/<scope>/<job>/<key>, scope repo or wt-<worktree>', () => {
    expect(leaseRef({ job: 'docs:changelog', key: SHA })).toBe(`refs/gitvan/locks/repo/docs%3Achangelog/${SHA}`)
    expect(leaseRef({ job: 'build', key: SHA, worktree: 'main' })).toBe(`refs/gitvan/locks/wt-main/build/${SHA}`)
    expect(leaseRef({ job: 'nightly', key: 'cron:2024-01-01T00:00Z', worktree: 'feature-x' }))
      .toBe('refs/gitvan/locks/wt-feature-x/nightly/cron%3A2024-01-01%5400%3A00%5A')
  })

  it('gives every odd id a distinct name that git accepts, at the same depth', () => {
    const targets = ODD_IDS.flatMap(id => [{ job: id, key: SHA }, { job: 'job', key: id }, { job: 'job', key: SHA, worktree: id }])
    const refs = targets.map(target => leaseRef(target))
    const repo = createRepo({ commit: false })
    for (const ref of refs) {
      expect(() => sh(repo, 'check-ref-format', ref), ref).not.toThrow()
      expect(ref.split('/')).toHaveLength(6)
    }
    expect(new Set(refs).size).toBe(refs.length)
    // Loose refs are files: names must stay distinct on case-insensitive file systems too.
    expect(new Set(refs.map(ref => ref.toLowerCase())).size).toBe(refs.length)
  })

  it('never makes one lease ref a prefix of another, so git can hold all of them at once', () => {
    const refs = [...new Set(ODD_IDS.flatMap(id => [leaseRef({ job: id, key: SHA }), leaseRef({ job: id, key: `${SHA}/x` }), leaseRef({ job: `${id}/${id}`, key: SHA })]))]
    for (const a of refs) expect(refs.filter(b => b.startsWith(`${a}/`))).toEqual([])
    const repo = createRepo()
    const head = sh(repo, 'rev-parse', 'HEAD')
    execFileSync('git', ['update-ref', '--stdin'], { cwd: repo, input: refs.map(ref => `create ${ref} ${head}\n`).join('') })
    expect(sh(repo, 'for-each-ref', '--format=%(refname)', LEASE_PREFIX).split('\n')).toHaveLength(refs.length)
  })

  it('refuses empty, non-string and overly long parts with a clear error', () => {
    expect(() => leaseRef({ job: '', key: SHA })).toThrow(new LeaseRefError('Invalid job id "" for a lease ref: pass a non-empty string (e.g. job "docs:changelog", key a commit sha)'))
    expect(() => leaseRef({ job: 'a', key: 42 as unknown as string })).toThrow(/^Invalid lease key 42 for a lease ref: pass a non-empty string/)
    expect(() => leaseRef({ job: 'a', key: SHA, worktree: '' })).toThrow(/^Invalid worktree id "" for a lease ref/)
    expect(() => leaseRef(undefined as never)).toThrow(/^Invalid job id undefined for a lease ref/)
    expect(() => leaseRef({ job: 'ü'.repeat(40), key: SHA })).toThrow(/encodes to 240 characters \(max 200\); use a shorter id$/)
    expect(leaseRef({ job: 'a'.repeat(200), key: SHA })).toContain('a'.repeat(200))
  })
})

describe('parseLeaseRef', () => {
  it('gives back the target of every name leaseRef makes', () => {
    for (const id of ODD_IDS) {
      for (const target of [{ job: id, key: SHA }, { job: 'job', key: id, worktree: id }]) {
        expect(parseLeaseRef(leaseRef(target))).toEqual(target)
      }
    }
  })

  it('returns null for names leaseRef cannot produce', () => {
    for (const ref of [
      'refs/heads/main', 'refs/gitvan/locks/build', 'refs/gitvan/locks/repo/job', 'refs/gitvan/locks/repo/job/key/extra',
      'refs/gitvan/locks/other/job/key', 'refs/gitvan/locks/wt-/job/key', 'refs/gitvan/locks/repo/Job/key',
      'refs/gitvan/locks/repo/docs%3achangelog/key', 'refs/gitvan/locks/repo/bad%FF/key', 'refs/gitvan/locks/repo/a.b/key',
      'refs/gitvan/locks/repo/%61/key',
    ]) {
      expect(parseLeaseRef(ref), ref).toBeNull()
    }
  })
})
