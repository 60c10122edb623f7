import { StringDecoder } from 'node:string_decoder'

/**
 * Keeps the first `limit` bytes written to it and drops the rest, so a chatty child never blocks on a full pipe;
 * with `tailLimit`, also the last `tailLimit` bytes, for messages that quote how the output ended.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = []
  private size = 0
  private recent: Buffer[] = []
  private recentSize = 0
  truncated = false

  constructor(private readonly limit: number, private readonly tailLimit = 0) {}

  push(chunk: Buffer): void {
    if (this.tailLimit > 0) this.remember(chunk)
    const room = this.limit - this.size
    if (chunk.length > room) this.truncated = true
    if (room <= 0) return
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
    this.chunks.push(kept)
    this.size += kept.length
  }

  /** The last `tailLimit` bytes as UTF-8, a character split by the cut dropped. */
  tail(): string {
    const bytes = Buffer.concat(this.recent)
    let start = Math.max(0, bytes.length - this.tailLimit)
    while (start < bytes.length && (bytes[start]! & 0xC0) === 0x80) start++
    return bytes.subarray(start).toString('utf8')
  }

  private remember(chunk: Buffer): void {
    this.recent.push(chunk)
    this.recentSize += chunk.length
    while (this.recentSize - this.recent[0]!.length >= this.tailLimit) this.recentSize -= this.recent.shift()!.length
  }

  /** The kept bytes as UTF-8; a character split by the cut is dropped rather than shown as U+FFFD. */
  text(): string {
    const bytes = Buffer.concat(this.chunks)
    // StringDecoder.write holds back a trailing incomplete character instead of decoding it.
    return this.truncated ? new StringDecoder('utf8').write(bytes) : bytes.toString('utf8')
  }
}
