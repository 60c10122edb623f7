import { colors } from 'consola/utils'
import type { JobTrigger } from '../types/job'
import type { ReceiptStatus } from '../types/receipt'

/**
 * consola's colors: on when stdout is a terminal (or `FORCE_COLOR` is set), off when it is piped or `NO_COLOR` is
 * set, so piped output is plain text.
 */
export { colors } from 'consola/utils'

const STATUS_COLORS: Record<ReceiptStatus, (text: string) => string> = {
  ok: colors.green,
  skipped: colors.gray,
  cancelled: colors.gray,
  error: colors.red,
  timeout: colors.yellow,
}

export function colorStatus(status: ReceiptStatus, text: string = status): string {
  return (STATUS_COLORS[status] ?? String)(text)
}

/** `commit on main`, `tag v1.0.0`, `branch main`, `schedule 2026-11-24T00:00:00.000Z`, `manual`, `job release`. */
export function describeTrigger(trigger: JobTrigger): string {
  switch (trigger.type) {
    case 'commit': { return `commit${trigger.branch ? ` on ${trigger.branch}` : ''}` }
    case 'tag': { return `tag ${trigger.tag}` }
    case 'branch': { return `branch ${trigger.branch}` }
    case 'schedule': { return `schedule ${trigger.slot}` }
    case 'job': { return `job ${trigger.parent}` }
    default: { return trigger.type }
  }
}

/** `512 B`, `12.3 KiB`, `2.1 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const [value, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : bytes < 1024 ** 3 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024 ** 3, 'GiB']
  return `${value.toFixed(1)} ${unit}`
}

/** A cell of an aligned table: its text, how to color it, and `right` for numbers. */
export interface Cell {
  text: string
  color?: (text: string) => string
  right?: boolean
}

/** Rows of cells as lines of aligned columns, two spaces apart; the last column is not padded. Colors do not count in widths. */
export function alignColumns(rows: Cell[][]): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.text.length)))
  return rows.map(row => row.map((cell, i) => {
    const last = i === row.length - 1
    const padded = last && !cell.right ? cell.text : cell.right ? cell.text.padStart(widths[i]!) : cell.text.padEnd(widths[i]!)
    return cell.color ? cell.color(padded) : padded
  }).join('  ').trimEnd())
}
