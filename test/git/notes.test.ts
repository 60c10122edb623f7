import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { GitError } from '../../src/git/error'
import { appendNote, buildNotesCommit, readNote, readNotes, writeNotes } from '../../src/git/notes'
import { readRef, refTransaction, updateRef } from '../../src/git/refs'
import { importHistory } from './fixtures/history'
import { commitFiles, createRepo, sh } from '../utils/repo'

const REF = 'refs/notes/gitvan'

function repoWithCommits(count = 3) {
  const repo = createRepo({ commit: false })
  return { repo, shas: importHistory(repo, count) }
}

/** The notes on `ref` of every commit on main, as git itself reads them (one `git log --notes`): sha → text. */
function gitNotes(repo: string, ref: string): Map<string, string> {
  const out = execFileSync('git', ['log', `--notes=${ref}`, '--format=%H%x01%N%x02', 'main'], { cwd: repo, encoding: 'utf8' })
  const pairs = out.split('\u0002').map(record => record.replace(/^\n/, '').split('\u0001') as [string, string])
  return new Map(pairs.filter(([, note]) => note))
}

describe('appendNote / readNote', () => {
  it('appends one line per call, readable by git notes show and git log --notes', async () => {
    const { repo, shas } = repoWithCommits()
    const [sha] = shas
    await appendNote(repo, REF, sha!, '{"run":1}')
    await appendNote(repo, REF, sha!, '{"run":2,"msg":"héllo ✓"}\n')
    expect(await readNote(repo, REF, sha!)).toBe('{"run":1}\n{"run":2,"msg":"héllo ✓"}\n')
    expect(sh(repo, 'notes', '--ref', REF, 'show', sha!)).toBe('{"run":1}\n{"run":2,"msg":"héllo ✓"}')
    expect(sh(repo, 'log', `--notes=${REF}`, '--format=%N', '-1', sha!)).toBe('{"run":1}\n{"run":2,"msg":"héllo ✓"}')
    expect(sh(repo, 'rev-list', '--count', REF)).toBe('2')
  })

  it('reads null when there is no note or no notes ref, and accepts any rev, even one beginning with "-"', async () => {
    const { repo, shas } = repoWithCommits()
    expect(await readNote(repo, REF, shas[0]!)).toBeNull()
    await appendNote(repo, REF, shas[2]!, 'on head')
    expect(await readNote(repo, REF, 'HEAD')).toBe('on head\n')
    sh(repo, 'update-ref', 'refs/heads/-x', shas[2]!)
    expect(await readNote(repo, REF, '-x')).toBe('on head\n')
    expect(await readNote(repo, REF, shas[1]!)).toBeNull()
  })

  it('works with a notes ref whose name begins with "-" and leaves no temporary refs', async () => {
    const { repo, shas } = repoWithCommits()
    await appendNote(repo, 'refs/notes/-x', shas[0]!, 'dash')
    expect(await readNote(repo, 'refs/notes/-x', shas[0]!)).toBe('dash\n')
    expect(sh(repo, 'notes', '--ref=refs/notes/-x', 'show', shas[0]!)).toBe('dash')
    expect(sh(repo, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main\nrefs/notes/-x')
  })
})

describe('writeNotes', () => {
  it('applies a batch in order: appends, replaces, several entries on one commit', async () => {
    const { repo, shas } = repoWithCommits()
    const [a, b, c] = shas as [string, string, string]
    await writeNotes(repo, REF, [{ object: a, text: 'a1' }, { object: b, text: 'b1' }])
    const commit = await writeNotes(repo, REF, [
      { object: a, text: 'a2' },
      { object: b, text: 'b-replaced', mode: 'replace' },
      { object: b, text: 'b2', mode: 'append' },
      { object: c, text: 'multi\nline' },
    ], { message: 'batch' })
    expect(await readRef(repo, REF)).toBe(commit)
    expect(sh(repo, 'log', '-1', '--format=%s', REF)).toBe('batch')
    expect(await readNotes(repo, REF)).toEqual(new Map([[a, 'a1\na2\n'], [b, 'b-replaced\nb2\n'], [c, 'multi\nline\n']]))
    expect(gitNotes(repo, REF)).toEqual(await readNotes(repo, REF))
  })

  it('writes a large batch git reads back, with the fan-out git expects', async () => {
    const { repo, shas } = repoWithCommits(600)
    await writeNotes(repo, REF, shas.map(object => ({ object, text: `note of ${object}` })))
    expect(sh(repo, 'ls-tree', '--name-only', REF).split('\n').every(name => name.length === 2)).toBe(true)
    const notes = gitNotes(repo, REF)
    expect(notes.size).toBe(600)
    expect(notes.get(shas[123]!)).toBe(`note of ${shas[123]}\n`)
    expect(await readNotes(repo, REF)).toEqual(notes)
  })

  it('keeps and extends notes in a fan-out tree written by git itself', async () => {
    const { repo, shas } = repoWithCommits(300)
    sh(repo, 'notes', `--ref=${REF}`, 'add', '-m', 'seed', shas[0]!)
    // `git notes copy --stdin` writes all 299 copies in one process, through git's own fan-out logic.
    const copies = shas.slice(1).map(sha => `${shas[0]} ${sha}`).join('\n')
    execFileSync('git', ['notes', `--ref=${REF}`, 'copy', '--stdin'], { cwd: repo, input: `${copies}\n` })
    expect(sh(repo, 'ls-tree', '--name-only', REF)).toMatch(/^[0-9a-f]{2}\n/)

    const all = await readNotes(repo, REF)
    expect(all.size).toBe(300)
    expect([...all.values()].every(text => text === 'seed\n')).toBe(true)
    expect(await readNotes(repo, REF, [shas[7]!, shas[250]!])).toEqual(new Map([[shas[7]!, 'seed\n'], [shas[250]!, 'seed\n']]))

    await appendNote(repo, REF, shas[42]!, 'run 2')
    await writeNotes(repo, REF, [{ object: shas[43]!, text: 'replaced', mode: 'replace' }])
    const after = gitNotes(repo, REF)
    expect(after.size).toBe(300)
    expect(after.get(shas[42]!)).toBe('seed\nrun 2\n')
    expect(after.get(shas[43]!)).toBe('replaced\n')
    expect(after.get(shas[44]!)).toBe('seed\n')
  })

  it('refuses bad input with one-line GitErrors before writing anything', async () => {
    const { repo, shas } = repoWithCommits()
    const blob = sh(repo, 'rev-parse', 'HEAD:src/dir-2/file-0.txt')
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => writeNotes(repo, 'refs/heads/main', [{ object: shas[0]!, text: 'x' }]), /^Invalid notes ref "refs\/heads\/main" .*under refs\/notes\//],
      [() => writeNotes(repo, 'refs/notes/a b', [{ object: shas[0]!, text: 'x' }]), /^Invalid notes ref "refs\/notes\/a b" .*contains a space/],
      [() => writeNotes(repo, REF, []), /^No note entries to write to refs\/notes\/gitvan/],
      [() => writeNotes(repo, REF, [{ object: 'HEAD', text: 'x' }]), /^Invalid object of a note .*"HEAD" .*full 40-hex object id/],
      [() => writeNotes(repo, REF, [{ object: shas[0]!, text: '' }]), /^Empty note text for/],
      [() => writeNotes(repo, REF, [{ object: shas[0]!, text: 'x', mode: 'prepend' as 'append' }]), /^Invalid note mode "prepend" .*use "append" or "replace"/],
      [() => writeNotes(repo, REF, [{ object: blob, text: 'x' }]), /^Cannot attach a note to .*it is a blob; notes annotate existing commits/],
      [() => writeNotes(repo, REF, [{ object: 'f'.repeat(40), text: 'x' }]), /^Cannot attach a note to f{40} .*no such object/],
      [() => writeNotes(repo, REF, [{ object: shas[0]!, text: 'x' }], { retries: -1 }), /^Invalid retries -1 for writing refs\/notes\/gitvan .*whole number/],
      [() => readNotes(repo, REF, ['abc']), /^Invalid object in refs\/notes\/gitvan "abc"/],
      [() => readNote(repo, 'gitvan', shas[0]!), /^Invalid notes ref "gitvan" .*not a full ref name/],
      [() => readNote(repo, REF, 'no-such-rev'), /notes .*show .*failed to resolve 'no-such-rev'/],
    ]
    for (const [call, message] of cases) {
      const error = await call().catch((error_: unknown) => error_) as GitError
      expect(error).toBeInstanceOf(GitError)
      expect(error.message).toMatch(message)
      expect(error.message).not.toContain('\n')
    }
    expect(await readRef(repo, REF)).toBeNull()
    expect(sh(repo, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main')
  })
})

describe('readNotes', () => {
  it('fails in one line when the notes ref points at something other than a notes commit', async () => {
    const { repo } = repoWithCommits()
    sh(repo, 'update-ref', 'refs/notes/blob', sh(repo, 'rev-parse', 'HEAD:src/dir-2/file-0.txt'))
    const error = await readNotes(repo, 'refs/notes/blob').catch((error_: unknown) => error_) as GitError
    expect(error).toBeInstanceOf(GitError)
    expect(error.message).toMatch(/^Notes commit [0-9a-f]{40} in .* has no readable tree at "": point the notes ref at a notes commit$/)
  })

  it('reads all notes or just some, and nothing from a missing ref', async () => {
    const { repo, shas } = repoWithCommits()
    expect(await readNotes(repo, REF)).toEqual(new Map())
    await writeNotes(repo, REF, [{ object: shas[0]!, text: 'zero' }, { object: shas[2]!, text: 'two' }])
    expect(await readNotes(repo, REF)).toEqual(new Map([[shas[0]!, 'zero\n'], [shas[2]!, 'two\n']]))
    expect(await readNotes(repo, REF, [shas[1]!, shas[2]!])).toEqual(new Map([[shas[2]!, 'two\n']]))
    expect(await readNotes(repo, REF, [])).toEqual(new Map())
  })
})

describe('buildNotesCommit', () => {
  it('builds without publishing, for a transaction that also verifies a lock', async () => {
    const { repo, shas } = repoWithCommits()
    const lock = 'refs/gitvan/locks/-job'
    sh(repo, 'update-ref', lock, shas[0]!)
    const first = await buildNotesCommit(repo, REF, [{ object: shas[1]!, text: 'receipt' }])
    expect(first.parent).toBeNull()
    expect(await readRef(repo, REF)).toBeNull()
    expect(sh(repo, 'rev-parse', `${first.commit}^{tree}`)).toMatch(/^[0-9a-f]{40}$/)

    // The lock moved: the receipt must not land.
    expect(await refTransaction(repo, [
      { ref: lock, verify: shas[1]! },
      { ref: REF, oldValue: first.parent, newValue: first.commit },
    ])).toBe(false)
    expect(await readRef(repo, REF)).toBeNull()

    expect(await refTransaction(repo, [
      { ref: lock, verify: shas[0]! },
      { ref: REF, oldValue: first.parent, newValue: first.commit },
    ])).toBe(true)
    expect(await readNote(repo, REF, shas[1]!)).toBe('receipt\n')
  })

  it('loses the compare-and-swap when another writer published first, and keeps their note', async () => {
    const { repo, shas } = repoWithCommits()
    await appendNote(repo, REF, shas[0]!, 'one')
    const stale = await buildNotesCommit(repo, REF, [{ object: shas[0]!, text: 'mine' }])
    await appendNote(repo, REF, shas[0]!, 'theirs')
    expect(await updateRef(repo, { ref: REF, oldValue: stale.parent, newValue: stale.commit })).toBe(false)
    expect(await readNote(repo, REF, shas[0]!)).toBe('one\ntheirs\n')
  })
})

describe('notes on a regular repository', () => {
  it('annotates commits made by git commit with unicode text', async () => {
    const repo = createRepo()
    const sha = commitFiles(repo, { 'ü.txt': 'ü\n' }, 'ü')
    await appendNote(repo, REF, sha, 'résumé ✓')
    expect(sh(repo, 'notes', `--ref=${REF}`, 'show', 'HEAD')).toBe('résumé ✓')
  })
})
