/**
 * The line of `file` in `error`'s stack: its first frame there (async frames included), or `undefined`. Only the
 * line: jiti keeps a file's lines when it transpiles it, not its columns.
 */
export function lineInStack(error: unknown, file: string): number | undefined {
  const stack = error instanceof Error ? error.stack : undefined
  if (!stack) return undefined
  const frame = new RegExp(`^\\s+at (?:.*\\()?${escapeRegExp(file)}:(\\d+):\\d+\\)?$`, 'm').exec(stack)
  return frame ? Number(frame[1]) : undefined
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
