import { describe, expect, it } from 'vitest'
import { GitError } from '../../src/git/error'
import { ZERO_OID } from '../../src/git/oid'
import { listRefs, readRef, refTransaction, updateRef } from '../../src/git/refs'
import { commitFiles, createRepo, sh, tempDir } from '../utils/repo'

function repoWithTwoCommits() {
  const repo = createRepo()
  const first = sh(repo, 'rev-parse', 'HEAD')
  const second = commitFiles(repo, { 'a.txt': 'a\n' }, 'second')
  return { repo, first, second }
}

describe('readRef', () => {
  it('reads loose, packed and symbolic refs, and null for a missing one', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/gitvan/packed', first)
    sh(repo, 'pack-refs', '--all')
    sh(repo, 'update-ref', 'refs/gitvan/loose', second)
    expect(await readRef(repo, 'refs/gitvan/packed')).toBe(first)
    expect(await readRef(repo, 'refs/gitvan/loose')).toBe(second)
    expect(await readRef(repo, 'HEAD')).toBe(second)
    expect(await readRef(repo, 'refs/gitvan/missing')).toBeNull()
  })

  it('reads names exactly: no abbreviation, no revision syntax', async () => {
    const { repo } = repoWithTwoCommits()
    await expect(readRef(repo, 'main')).rejects.toThrow(/Invalid ref name "main" .*not a full ref name/)
    await expect(readRef(repo, 'refs/heads/main~1')).rejects.toThrow(/contains a space, control character or one of/)
    await expect(readRef(repo, 'refs/heads/a..b')).rejects.toThrow(GitError)
  })

  it('reads null for the unborn HEAD of an empty repository', async () => {
    expect(await readRef(createRepo({ commit: false }), 'HEAD')).toBeNull()
  })

  it('treats ref names beginning with "-" as names', async () => {
    const { repo, first } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/heads/-x', first)
    expect(await readRef(repo, 'refs/heads/-x')).toBe(first)
  })

  it('fails in one line outside a repository', async () => {
    const error = await readRef(tempDir(), 'HEAD').catch(error_ => error_)
    expect(error).toBeInstanceOf(GitError)
    expect(error.message).toMatch(/not a git repository/)
    expect(error.message).not.toContain('\n')
  })
})

describe('listRefs', () => {
  it('lists loose and packed refs matching any pattern, sorted, in one call', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/gitvan/locks/b', first)
    sh(repo, 'pack-refs', '--all')
    sh(repo, 'update-ref', 'refs/gitvan/locks/a', second)
    sh(repo, 'update-ref', 'refs/gitvan/locks/-dash', second)
    sh(repo, 'update-ref', 'refs/gitvan/other', second)
    expect(await listRefs(repo, ['refs/gitvan/locks', 'refs/heads/'])).toEqual([
      { ref: 'refs/gitvan/locks/-dash', sha: second },
      { ref: 'refs/gitvan/locks/a', sha: second },
      { ref: 'refs/gitvan/locks/b', sha: first },
      { ref: 'refs/heads/main', sha: second },
    ])
    expect(await listRefs(repo, 'refs/gitvan/locks/-*')).toEqual([{ ref: 'refs/gitvan/locks/-dash', sha: second }])
  })

  it('returns nothing for no patterns or no match', async () => {
    const { repo } = repoWithTwoCommits()
    expect(await listRefs(repo, [])).toEqual([])
    expect(await listRefs(repo, 'refs/nothing')).toEqual([])
  })

  it('refuses a pattern with a NUL byte in one line', async () => {
    const { repo } = repoWithTwoCommits()
    await expect(listRefs(repo, 'refs/\0x')).rejects.toThrow(/Invalid git argument "refs\/\\u0000x" .*cannot contain NUL bytes/)
  })
})

describe('updateRef (compare-and-swap)', () => {
  it('creates only when absent, updates and deletes only from the expected value', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    const ref = 'refs/gitvan/-lock'
    expect(await updateRef(repo, { ref, newValue: first, oldValue: null })).toBe(true)
    expect(await updateRef(repo, { ref, newValue: second, oldValue: ZERO_OID })).toBe(false)
    expect(await readRef(repo, ref)).toBe(first)

    expect(await updateRef(repo, { ref, newValue: second, oldValue: second })).toBe(false)
    expect(await readRef(repo, ref)).toBe(first)
    expect(await updateRef(repo, { ref, newValue: second, oldValue: first })).toBe(true)

    expect(await updateRef(repo, { ref, newValue: null, oldValue: first })).toBe(false)
    expect(await readRef(repo, ref)).toBe(second)
    expect(await updateRef(repo, { ref, newValue: null, oldValue: second })).toBe(true)
    expect(await readRef(repo, ref)).toBeNull()
    expect(await updateRef(repo, { ref, newValue: null, oldValue: second })).toBe(false)
  })

  it('works on packed refs', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/gitvan/packed', first)
    sh(repo, 'pack-refs', '--all')
    expect(await updateRef(repo, { ref: 'refs/gitvan/packed', newValue: second, oldValue: second })).toBe(false)
    expect(await updateRef(repo, { ref: 'refs/gitvan/packed', newValue: second, oldValue: first })).toBe(true)
    expect(await readRef(repo, 'refs/gitvan/packed')).toBe(second)
    expect(await updateRef(repo, { ref: 'refs/gitvan/packed', oldValue: second })).toBe(true)
    expect(sh(repo, 'for-each-ref', 'refs/gitvan')).toBe('')
  })

  it('throws one-line GitErrors for bad input instead of returning false', async () => {
    const { repo, first } = repoWithTwoCommits()
    const messages = await Promise.all([
      updateRef(repo, { ref: 'refs/heads/a b', newValue: first, oldValue: null }),
      updateRef(repo, { ref: 'refs/gitvan/x', newValue: 'HEAD', oldValue: null }),
      updateRef(repo, { ref: 'refs/gitvan/x', newValue: first, oldValue: 'abc' }),
      updateRef(repo, { ref: 'refs/gitvan/x', newValue: null, oldValue: null }),
      updateRef(repo, { ref: 'refs/gitvan/x', newValue: 'f'.repeat(40), oldValue: null }),
    ].map(p => p.then(() => 'resolved', (error_: Error) => (error_ instanceof GitError ? error_.message : `not a GitError: ${error_}`))))
    expect(messages[0]).toMatch(/^Invalid ref name "refs\/heads\/a b" in .*: contains a space/)
    expect(messages[1]).toMatch(/^Invalid newValue for refs\/gitvan\/x "HEAD" .*full 40-hex object id/)
    expect(messages[2]).toMatch(/^Invalid expected value for refs\/gitvan\/x "abc"/)
    expect(messages[3]).toMatch(/^Cannot delete refs\/gitvan\/x .*expecting it not to exist/)
    // A missing object is git's refusal with the expectation holding: thrown, not reported as a lost race.
    expect(messages[4]).toMatch(/update-ref .*fatal: .*refs\/gitvan\/x/)
    for (const message of messages) expect(message).not.toContain('\n')
    expect(await readRef(repo, 'refs/gitvan/x')).toBeNull()
  })
})

describe('refTransaction', () => {
  it('applies creates, updates, deletes and verifies together', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/gitvan/lock', first)
    sh(repo, 'update-ref', 'refs/gitvan/old', first)
    const ok = await refTransaction(repo, [
      { ref: 'refs/gitvan/lock', verify: first },
      { ref: 'refs/gitvan/absent', verify: null },
      { ref: 'refs/gitvan/new', newValue: second, oldValue: null },
      { ref: 'refs/heads/main', newValue: first, oldValue: second },
      { ref: 'refs/gitvan/old', newValue: null, oldValue: first },
    ])
    expect(ok).toBe(true)
    expect(await listRefs(repo, ['refs/gitvan', 'refs/heads'])).toEqual([
      { ref: 'refs/gitvan/lock', sha: first },
      { ref: 'refs/gitvan/new', sha: second },
      { ref: 'refs/heads/main', sha: first },
    ])
  })

  it('changes nothing when a later precondition fails', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/gitvan/lock', second)
    sh(repo, 'pack-refs', '--all')
    const before = sh(repo, 'for-each-ref')
    expect(await refTransaction(repo, [
      { ref: 'refs/gitvan/new', newValue: second, oldValue: null },
      { ref: 'refs/heads/main', newValue: first, oldValue: second },
      { ref: 'refs/gitvan/lock', verify: first },
    ])).toBe(false)
    expect(await refTransaction(repo, [
      { ref: 'refs/gitvan/new', newValue: second, oldValue: null },
      { ref: 'refs/gitvan/lock', verify: null },
    ])).toBe(false)
    expect(sh(repo, 'for-each-ref')).toBe(before)
  })

  it('changes nothing and throws when a later step fails for another reason', async () => {
    const { repo, first } = repoWithTwoCommits()
    sh(repo, 'update-ref', 'refs/gitvan/dir/leaf', first)
    const before = sh(repo, 'for-each-ref')
    // refs/gitvan/dir cannot exist next to refs/gitvan/dir/leaf: a name conflict, not a lost race.
    await expect(refTransaction(repo, [
      { ref: 'refs/gitvan/-first', newValue: first, oldValue: null },
      { ref: 'refs/gitvan/dir', newValue: first, oldValue: null },
    ])).rejects.toThrow(GitError)
    expect(sh(repo, 'for-each-ref')).toBe(before)
  })

  it('refuses a bad op before running anything', async () => {
    const { repo, first } = repoWithTwoCommits()
    await expect(refTransaction(repo, [
      { ref: 'refs/gitvan/ok', newValue: first, oldValue: null },
      { ref: 'refs/gitvan/bad.lock', newValue: first, oldValue: null },
    ])).rejects.toThrow(/Invalid ref name "refs\/gitvan\/bad.lock" .*ends with "\.lock"/)
    expect(await readRef(repo, 'refs/gitvan/ok')).toBeNull()
  })

  it('is a no-op for no ops', async () => {
    const { repo } = repoWithTwoCommits()
    expect(await refTransaction(repo, [])).toBe(true)
  })

  // Transactions go through one long-lived `update-ref` per repository while it is free: git exits on a refusal,
  // others may move refs between two transactions, and many may be asked for at once.
  it('keeps deciding right across refusals, outside changes and transactions asked for at once', async () => {
    const { repo, first, second } = repoWithTwoCommits()
    for (let round = 0; round < 3; round++) {
      expect(await updateRef(repo, { ref: 'refs/gitvan/x', newValue: first, oldValue: null })).toBe(true)
      expect(await updateRef(repo, { ref: 'refs/gitvan/x', newValue: second, oldValue: second })).toBe(false)
      sh(repo, 'update-ref', 'refs/gitvan/x', second)
      expect(await updateRef(repo, { ref: 'refs/gitvan/x', newValue: first, oldValue: first })).toBe(false)
      expect(await updateRef(repo, { ref: 'refs/gitvan/x', newValue: null, oldValue: second })).toBe(true)
    }
    const names = Array.from({ length: 20 }, (_, i) => `refs/gitvan/many/${i}`)
    const won = await Promise.all([...names, ...names].map(ref => updateRef(repo, { ref, newValue: first, oldValue: null })))
    // Each ref created once: exactly one of its two creations wins, whichever process carried it.
    for (let i = 0; i < names.length; i++) expect([won[i], won[i + names.length]].filter(Boolean)).toHaveLength(1)
    expect((await listRefs(repo, 'refs/gitvan/many/')).map(entry => entry.sha)).toEqual(names.map(() => first))
  })
})
