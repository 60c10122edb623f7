/** Where a template error happened, when known. */
export interface TemplateErrorDetails {
  /** Template file relative to the root (absolute when outside it), or `<string>` for `renderString`. */
  template?: string
  line?: number
  column?: number
  cause?: unknown
}

/** A template that could not be found, parsed or rendered; the message is one line naming the template and place. */
export class TemplateError extends Error {
  override name = 'TemplateError'
  readonly template?: string
  readonly line?: number
  readonly column?: number

  constructor(message: string, details: TemplateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.template = details.template
    this.line = details.line
    this.column = details.column
  }
}
