import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { PathEscapeError } from '../../src/utils/paths'
import { tempDir } from '../utils/repo'
import { setup } from './fixture'

const files = { 'templates/notes.njk': '# {{ title }}\nÜber {{ now("YYYY") }}\n' }

describe('renderToFile', () => {
  it('writes the rendered template, creating directories, and returns the path relative to the root', async () => {
    const { root, templates } = setup(files)
    const result = await templates.renderToFile('notes.njk', 'docs/release/notes.md', { title: 'v1' })
    const expected = '# v1\nÜber 2024\n'
    expect(result).toEqual({ path: 'docs/release/notes.md', bytes: Buffer.byteLength(expected) })
    expect(result.bytes).toBe(expected.length + 1) // bytes, not characters
    expect(readFileSync(join(root, 'docs/release/notes.md'), 'utf8')).toBe(expected)
  })

  it('replaces an existing file through a rename, leaving no temp file behind', async () => {
    const { root, templates } = setup({ ...files, 'docs/notes.md': 'old' })
    const before = statSync(join(root, 'docs/notes.md')).ino
    await templates.renderToFile('notes.njk', 'docs/notes.md', { title: 'new' })
    expect(readFileSync(join(root, 'docs/notes.md'), 'utf8')).toBe('# new\nÜber 2024\n')
    expect(statSync(join(root, 'docs/notes.md')).ino).not.toBe(before) // a new file renamed over the old one
    expect(readdirSync(join(root, 'docs'))).toEqual(['notes.md'])
  })

  it.each([
    ['a parent escape', '../x'],
    ['a nested parent escape', 'docs/../../x'],
    ['an absolute path', '/etc/x'],
  ])('refuses %s and writes nothing', async (_, out) => {
    const { root, templates } = setup(files)
    const outsideBefore = existsSync(join(root, '..', 'x'))
    await expect(templates.renderToFile('notes.njk', out, { title: 't' })).rejects.toThrow(PathEscapeError)
    await expect(templates.renderToFile('notes.njk', out, { title: 't' })).rejects.toThrow(/^Refusing template output ".*": .*, use a path/)
    expect(readdirSync(root).sort()).toEqual(['templates'])
    expect(existsSync(join(root, '..', 'x'))).toBe(outsideBefore)
  })

  it('refuses a path through a symlinked directory pointing outside the root and writes nothing', async () => {
    const { root, templates } = setup(files)
    const outside = tempDir('gitvan-outside-')
    symlinkSync(outside, join(root, 'link'))
    await expect(templates.renderToFile('notes.njk', 'link/x.md', { title: 't' })).rejects.toThrow(
      /^Refusing template output "link\/x\.md": a symlink leads out of the repository root/,
    )
    expect(readdirSync(outside)).toEqual([])
  })

  it('refuses a directory as output', async () => {
    const { root, templates } = setup(files)
    mkdirSync(join(root, 'docs'))
    await expect(templates.renderToFile('notes.njk', 'docs', { title: 't' })).rejects.toThrow(
      /^Cannot write template output "docs": it is a directory \(give a file path\)$/,
    )
  })

  it('writes nothing when rendering fails', async () => {
    const { root, templates } = setup(files)
    await expect(templates.renderToFile('notes.njk', 'out.md')).rejects.toThrow(/^templates\/notes\.njk:1:3: "title" is undefined/)
    await expect(templates.renderToFile('missing.njk', 'out.md')).rejects.toThrow(/^Template "missing\.njk" not found/)
    expect(existsSync(join(root, 'out.md'))).toBe(false)
  })
})
