const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const DURATION = /^(\d+)([smhdw])$/

/** Milliseconds in a duration such as `30d`, `12h`, `90m`, `45s` or `2w`; `undefined` when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim())
  return match ? Number(match[1]) * UNITS[match[2]!]! : undefined
}

/** The time `text` names: a duration back from `now` (`30d`), or a date (`2026-11-01`, `2026-11-01T12:00Z`); `undefined` when neither. */
export function parseSince(text: string, now: number = Date.now()): Date | undefined {
  const duration = parseDuration(text)
  if (duration !== undefined) return new Date(now - duration)
  // Only date-shaped text: Date.parse also reads things like "1" or "March 7".
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined
  const time = Date.parse(text)
  return Number.isNaN(time) ? undefined : new Date(time)
}
