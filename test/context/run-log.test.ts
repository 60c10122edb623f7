import { describe, expect, it } from 'vitest'
import { MAX_ENTRY_CHARS, createRunLog } from '../../src/context/run-log'
import type { RunLogEntry } from '../../src/types/log'

const texts = (entries: RunLogEntry[] | undefined) => (entries ?? []).map(entry => ('out' in entry ? entry.out : 'err' in entry ? `!${entry.err}` : 'step' in entry ? `# ${entry.step}` : `… ${entry.cut.lines} lines, ${entry.cut.bytes} bytes cut`))
const isLine = (entry: RunLogEntry) => 'out' in entry || 'err' in entry
const lineLength = (entry: RunLogEntry) => ('out' in entry ? entry.out.length : 'err' in entry ? entry.err.length : 0)

describe('createRunLog: collecting', () => {
  it('keeps nothing for a run that printed nothing, even with steps', () => {
    const log = createRunLog({ maxBytes: 1024, secrets: [] })
    log.step('build')
    log.step('test')
    expect(log.finish()).toBeUndefined()
  })

  it('keeps lines in order with their stream and step, from writes and from process pipes split anywhere', () => {
    const log = createRunLog({ maxBytes: 1024, secrets: [] })
    log.step('build')
    log.write('stdout', 'one\ntwo')
    const out = log.pipe('stdout')
    const err = log.pipe('stderr')
    out.write(Buffer.from('thr'))
    err.write(Buffer.from('oops\r\n'))
    out.write(Buffer.from('ee\nfo'))
    // A character cut in two by the pipe is decoded whole.
    const euro = Buffer.from('€')
    out.write(Buffer.concat([Buffer.from('ur '), euro.subarray(0, 1)]))
    out.write(euro.subarray(1))
    log.step('test')
    out.end()
    err.end()
    const entries = log.finish()!.entries
    expect(texts(entries)).toEqual(['# build', 'one', 'two', '!oops', 'three', '# test', 'four €'])
    expect(entries.every(entry => Number.isInteger(entry.t) && entry.t >= 0)).toBe(true)
  })

  it('splits a line longer than an entry holds', () => {
    const log = createRunLog({ maxBytes: 1_000_000, secrets: [] })
    log.write('stdout', 'x'.repeat(MAX_ENTRY_CHARS * 2 + 1))
    expect(log.finish()!.entries.map(lineLength)).toEqual([MAX_ENTRY_CHARS, MAX_ENTRY_CHARS, 1])
  })

  it('drops what is written after finish, and keeps nothing with maxBytes 0', () => {
    const log = createRunLog({ maxBytes: 1024, secrets: [] })
    log.write('stdout', 'kept')
    const done = log.finish()
    log.write('stdout', 'late')
    expect(texts(done!.entries)).toEqual(['kept'])
    const off = createRunLog({ maxBytes: 0, secrets: ['k'] })
    expect(off.write('stdout', 'shown k')).toBe('shown [redacted]')
    expect(off.finish()).toBeUndefined()
  })
})

describe('createRunLog: the cap', () => {
  it('keeps the head and the tail within maxBytes, with one marker counting what was cut', () => {
    const log = createRunLog({ maxBytes: 100, secrets: [] })
    // 30 lines of 9 bytes: the head holds 5 (45 <= 50), the tail the last 5, 20 are cut.
    for (let i = 0; i < 30; i++) log.write('stdout', `line ${String(i).padStart(4, '0')}`)
    const entries = log.finish()!.entries
    expect(texts(entries)).toEqual([
      ...[0, 1, 2, 3, 4].map(i => `line 000${i}`),
      '… 20 lines, 180 bytes cut',
      ...[25, 26, 27, 28, 29].map(i => `line 00${i}`),
    ])
  })

  it('stays bounded however much is written, and keeps the step of the lines in the tail', () => {
    const log = createRunLog({ maxBytes: 64 * 1024, secrets: [] })
    const chunk = Buffer.from(`${'y'.repeat(99)}\n`.repeat(1000))
    const steps = ['setup', 'unit tests']
    for (const step of steps) {
      log.step(step)
      const out = log.pipe('stdout')
      for (let i = 0; i < 15; i++) out.write(chunk) // 1.5 MB per step
      out.end()
    }
    log.write('stderr', 'AssertionError: expected 1 to be 2')
    const entries = log.finish()!.entries
    const bytes = entries.reduce((sum, entry) => sum + lineLength(entry), 0)
    expect(bytes).toBeLessThanOrEqual(64 * 1024)
    expect(bytes).toBeGreaterThan(60 * 1024)
    // Every line and byte written is either kept or counted as cut.
    const cut = entries.findIndex(entry => 'cut' in entry)
    const kept = entries.filter(isLine).length
    expect(entries[cut]).toMatchObject({ cut: { lines: 30_001 - kept, bytes: 30_000 * 99 + 34 - bytes } })
    // The head starts with its step; the tail too, though that step's marker came long before the cut.
    expect(texts(entries.slice(0, 1))).toEqual(['# setup'])
    expect(texts(entries.slice(cut + 1, cut + 2))).toEqual(['# unit tests'])
    expect(entries.filter(entry => 'step' in entry)).toHaveLength(2)
    expect(texts(entries.slice(-1))).toEqual(['!AssertionError: expected 1 to be 2'])
  })
})

describe('createRunLog: secrets', () => {
  it('redacts every secret, longest first, in writes, pipes split inside a secret, and unending lines', () => {
    const log = createRunLog({ maxBytes: 1_000_000, secrets: ['tok', 'token-123', '', 'a.b*'] })
    expect(log.write('stdout', 'a token-123 and a tok')).toBe('a [redacted] and a [redacted]')
    const out = log.pipe('stdout')
    out.write(Buffer.from('NPM_TOKEN=tok'))
    out.write(Buffer.from('en-1'))
    out.write(Buffer.from('23\n'))
    // A line with no newline longer than an entry: kept in pieces, a secret across a piece boundary still hidden.
    out.write(Buffer.from('z'.repeat(MAX_ENTRY_CHARS - 3)))
    out.write(Buffer.from('token-'))
    out.write(Buffer.from('123 end'))
    out.end()
    const all = texts(log.finish()!.entries).join('')
    expect(all).not.toContain('tok')
    expect(all).toContain('NPM_TOKEN=[redacted]')
    expect(all.match(/\[redacted\]/g)).toHaveLength(4)
    expect(all.endsWith(`${'z'.repeat(MAX_ENTRY_CHARS - 3)}[redacted] end`)).toBe(true)
    expect(log.redact('tok axb a.b*')).toBe('[redacted] axb [redacted]')
  })
})
