import { StringDecoder } from 'node:string_decoder'

/** Keeps the first `limit` bytes written to it and drops the rest, so a chatty child never blocks on a full pipe. */
export class CappedOutput {
  private readonly chunks: Buffer[] = []
  private size = 0
  truncated = false

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size
    if (chunk.length > room) this.truncated = true
    if (room <= 0) return
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
    this.chunks.push(kept)
    this.size += kept.length
  }

  /** The kept bytes as UTF-8; a character split by the cut is dropped rather than shown as U+FFFD. */
  text(): string {
    const bytes = Buffer.concat(this.chunks)
    // StringDecoder.write holds back a trailing incomplete character instead of decoding it.
    return this.truncated ? new StringDecoder('utf8').write(bytes) : bytes.toString('utf8')
  }
}
