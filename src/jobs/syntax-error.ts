/** A job file that does not parse: where and why. */
export class JobSyntaxError extends Error {
  override name = 'JobSyntaxError'
  constructor(readonly file: string, readonly line: number, readonly column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`)
  }
}
