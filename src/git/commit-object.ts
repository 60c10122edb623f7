import type { CommitSummary } from '../types/git'

const AUTHOR = /^author (.*) <([^>]*)> (\d+) [+-]\d{4}$/m

/** Subject and author of a raw commit object (as `git cat-file` gives it). */
export function parseCommitObject(sha: string, content: Buffer): CommitSummary {
  const text = content.toString('utf8')
  const split = text.indexOf('\n\n')
  const headers = split === -1 ? text : text.slice(0, split)
  const message = split === -1 ? '' : text.slice(split + 2)
  const author = AUTHOR.exec(headers)
  return {
    sha,
    // git's %s: the first paragraph of the message, its lines joined by spaces.
    subject: message.trimStart().split(/\n\s*\n/, 1)[0]!.replaceAll(/\s*\n\s*/g, ' ').trim(),
    author: { name: author?.[1] ?? '', email: author?.[2] ?? '' },
    authorTime: Number(author?.[3] ?? 0),
  }
}
