import { describeValue } from '../utils/describe'
import { TemplateError } from './error'

/** `iso` (full ISO 8601), YYYY MM DD HH mm ss (UTC), and `[text]` for literal text. */
const TOKENS = /\[([^\]]*)\]|iso|YYYY|MM|DD|HH|mm|ss/g

/** ISO 8601 date with optional time and zone; also git's `%ci` form `2024-01-02 03:04:05 +0100`. */
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) ?(Z|[+-]\d{2}:?\d{2})?)?$/

const EPOCH_SECONDS = /^-?\d+$/

/** Format `date` in UTC, so output never depends on the machine's time zone. */
export function formatDate(date: Date, format: unknown = 'iso'): string {
  if (typeof format !== 'string') {
    throw new TemplateError(`date format must be a string like 'YYYY-MM-DD HH:mm', got ${describeValue(format)}`)
  }
  const parts: Record<string, string> = {
    iso: date.toISOString(),
    YYYY: pad(date.getUTCFullYear(), 4),
    MM: pad(date.getUTCMonth() + 1),
    DD: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  }
  return format.replace(TOKENS, (token, literal: string | undefined) => literal ?? parts[token]!)
}

/**
 * Read a Date, an ISO 8601 string or epoch seconds (number or digit string, as `git log --format=%ct` prints).
 * `null` (`none` in a template) means "now"; `undefined` is refused so a misspelled variable is not silently "now".
 * Date-times without a zone are UTC, never local time.
 */
export function toDate(value: unknown, now: () => Date): Date {
  if (value === null) return injectedNow(now)
  if (value instanceof Date) return validDate(value, value)
  if (typeof value === 'number' || (typeof value === 'string' && EPOCH_SECONDS.test(value))) {
    return validDate(new Date(Number(value) * 1000), value)
  }
  if (typeof value === 'string') {
    const match = ISO_DATE.exec(value.trim())
    if (match) {
      const [, day, time = '00:00', zone = 'Z'] = match
      return validDate(new Date(`${day}T${time}${zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`), value)
    }
  }
  if (value === undefined) {
    throw new TemplateError('date filter got an undefined value (check the variable name, or write `none | date` for the current time)')
  }
  return validDate(new Date(Number.NaN), value)
}

function injectedNow(now: () => Date): Date {
  const date = now()
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TemplateError(`the clock given as options.now returned ${describeValue(date)} (make it return a valid Date)`)
  }
  return date
}

function validDate(date: Date, input: unknown): Date {
  if (Number.isNaN(date.getTime())) {
    throw new TemplateError(`date filter cannot read ${describeValue(input)} as a date (pass a Date, an ISO 8601 string or epoch seconds)`)
  }
  return date
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}
