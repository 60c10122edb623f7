import { withCatFile } from './cat-file'
import { gitLayerError } from './error'

/**
 * Contents of `path` at `rev` (a branch, tag, sha, `HEAD~2`, ...), `null` when the path is not a file there.
 * Read through `cat-file`, so neither value ever meets git's argument parser.
 */
export async function readFileAt(cwd: string, rev: string, path: string): Promise<string | null> {
  if (/[\n\0]/.test(rev + path) || rev === '' || path === '') {
    throw gitLayerError(cwd, `Invalid revision or path ${JSON.stringify(`${rev}:${path}`)} in ${cwd}: pass a non-empty rev and path without newlines`)
  }
  return withCatFile(cwd, async (cat) => {
    const object = await cat.read(`${rev}:${path}`)
    return object?.type === 'blob' ? object.content.toString('utf8') : null
  })
}
