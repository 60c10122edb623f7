import { performance } from 'node:perf_hooks'
import { StringDecoder } from 'node:string_decoder'
import type { RunLog, RunLogCollector, RunLogEntry, RunLogLineEntry, RunLogStepEntry, RunLogStream } from '../types/log'

/** Longest text one entry holds: longer lines are split, so the cap drops output in small pieces. */
export const MAX_ENTRY_CHARS = 4096

export const REDACTED = '[redacted]'

export interface RunLogOptions {
  /** Bytes of output kept: the first half and the last half; 0 keeps none. */
  maxBytes: number
  /** Values replaced by `[redacted]` wherever they appear. */
  secrets: readonly string[]
}

/**
 * Collect the output of one run into a log capped to `maxBytes` as it arrives: lines go to the head until its
 * half is full, then to a tail from which the oldest lines are dropped, so memory stays bounded however much a
 * run prints. Every line is redacted before it is kept. A run that prints nothing allocates nothing but this.
 */
export function createRunLog(options: RunLogOptions): RunLogCollector {
  const started = performance.now()
  const redact = createRedactor(options.secrets)
  const headBudget = Math.floor(options.maxBytes / 2)
  const tailBudget = options.maxBytes - headBudget
  const head: RunLogEntry[] = []
  let headBytes = 0
  let headFull = false
  // The tail is `tail[tailStart..]`: dropping from the front moves the index; the array is compacted now and then.
  let tail: RunLogEntry[] = []
  let tailStart = 0
  let tailBytes = 0
  const cut = { lines: 0, bytes: 0, t: 0 }
  let lines = 0
  let finished = false
  const elapsed = () => Math.round(performance.now() - started)

  function keep(entry: RunLogEntry, bytes: number): void {
    if (!headFull && headBytes + bytes <= headBudget) {
      head.push(entry)
      headBytes += bytes
      return
    }
    headFull = true
    tail.push(entry)
    tailBytes += bytes
    if (tailBytes > tailBudget) trimTail()
  }

  function trimTail(): void {
    let step: RunLogStepEntry | undefined
    while (tailBytes > tailBudget && tailStart < tail.length) {
      const entry = tail[tailStart++]!
      if ('step' in entry) {
        step = entry
        continue
      }
      const bytes = Buffer.byteLength(lineText(entry as RunLogLineEntry))
      tailBytes -= bytes
      cut.lines++
      cut.bytes += bytes
      cut.t = entry.t
    }
    // The lines kept after a dropped step marker still belong to that step: put the marker back in front of them.
    if (step && !(tail[tailStart] && 'step' in tail[tailStart]!)) tail[--tailStart] = step
    if (tailStart > 1024 && tailStart * 2 > tail.length) {
      tail = tail.slice(tailStart)
      tailStart = 0
    }
  }

  /** Keep one line of already-redacted text, split into entries of at most MAX_ENTRY_CHARS. */
  function line(stream: RunLogStream, text: string): void {
    if (finished || options.maxBytes === 0) return
    lines++
    const t = elapsed()
    for (let at = 0; at === 0 || at < text.length; at += MAX_ENTRY_CHARS) {
      const piece = text.length > MAX_ENTRY_CHARS ? text.slice(at, at + MAX_ENTRY_CHARS) : text
      keep(stream === 'stdout' ? { t, out: piece } : { t, err: piece }, Buffer.byteLength(piece))
    }
  }

  return {
    step(name) {
      if (!finished) keep({ t: elapsed(), step: name }, 0)
    },
    write(stream, text) {
      const shown = redact(text)
      for (const part of shown.split('\n')) line(stream, part.endsWith('\r') ? part.slice(0, -1) : part)
      return shown
    },
    pipe(stream) {
      const decoder = new StringDecoder('utf8')
      let partial = ''
      const flush = () => {
        let from = 0
        for (let nl = partial.indexOf('\n'); nl !== -1; nl = partial.indexOf('\n', from)) {
          const text = partial.slice(from, nl)
          line(stream, redact(text.endsWith('\r') ? text.slice(0, -1) : text))
          from = nl + 1
        }
        partial = partial.slice(from)
        // A line that never ends: keep it in pieces, holding back what could be the start of a secret.
        if (partial.length > MAX_ENTRY_CHARS) {
          const [done, rest] = redact.settle(partial)
          line(stream, done)
          partial = rest
        }
      }
      return {
        write(chunk) {
          partial += decoder.write(chunk)
          if (partial.includes('\n') || partial.length > MAX_ENTRY_CHARS) flush()
        },
        end() {
          partial += decoder.end()
          flush()
          if (partial !== '') line(stream, redact(partial))
          partial = ''
        },
      }
    },
    redact,
    finish() {
      finished = true
      if (lines === 0) return undefined
      const entries = [...head, ...(cut.lines > 0 ? [{ t: cut.t, cut: { lines: cut.lines, bytes: cut.bytes } }] : []), ...tail.slice(tailStart)]
      return { entries } satisfies RunLog
    },
  }
}

/** The text of an output line, whichever stream it is on. */
export function lineText(entry: RunLogLineEntry): string {
  return 'out' in entry ? entry.out : entry.err
}

export interface Redactor {
  /** `text` with every secret replaced; where several start at one place, the longest wins. */
  (text: string): string
  /**
   * For text that goes on: the start that can be decided now, redacted, and the raw rest, which may begin a
   * secret the next text completes (at most the longest secret's length less one, unless a secret ends later).
   */
  settle: (text: string) => [done: string, rest: string]
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const values = [...new Set(secrets.filter(secret => secret !== ''))].sort((a, b) => b.length - a.length)
  // One alternation, longest first: at each place the longest secret found there is the one replaced.
  const pattern = values.length > 0 ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined
  const redact = (text: string) => (pattern ? text.replace(pattern, REDACTED) : text)
  const settle = (text: string): [string, string] => {
    if (!pattern) return [text, '']
    let cut = Math.max(0, text.length - (values[0]!.length - 1))
    pattern.lastIndex = 0
    // A secret starting before the cut is whole already: move the cut past it rather than split it.
    for (let match = pattern.exec(text); match && match.index < cut; match = pattern.exec(text)) cut = Math.max(cut, match.index + match[0].length)
    return [redact(text.slice(0, cut)), text.slice(cut)]
  }
  return Object.assign(redact, { settle })
}

function escapeRegExp(text: string): string {
  return text.replace(/[$()*+.?[\\\]^{|}]/g, String.raw`\$&`)
}
