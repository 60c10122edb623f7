import { git } from './command'

/**
 * Feed `commands` to one `git fast-import --quiet` and return what it printed (the answers to `get-mark`).
 * GitVan's writers build commits this way: any number of objects for two processes, and no ref is moved unless
 * the stream says so.
 */
export function fastImport(cwd: string, commands: string[]): Promise<string> {
  return git(['fast-import', '--quiet'], { cwd, input: ['feature done\n', ...commands, 'done\n'].join('') })
}

/** A fast-import `data` command carrying `text` (exact byte count, so any content is safe). */
export function fastImportData(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`
}
