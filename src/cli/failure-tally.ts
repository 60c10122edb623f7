import type { DaemonEvent } from '../types/daemon'
import { runLabel } from './report'

export interface FailureTally {
  /** Feed every daemon event to it. */
  observe: (event: DaemonEvent) => void
  /** One line naming the pairs whose last run failed and the broken job files; `null` when there are none. */
  summary: () => string | null
}

/**
 * What a `gitvan daemon --once` run leaves failed: a (job, key) pair counts when its last run failed (a retry that
 * succeeded clears it), and every job file reported broken counts.
 */
export function createFailureTally(): FailureTally {
  const pairs = new Map<string, { label: string; failed: boolean }>()
  const broken = new Set<string>()
  return {
    observe(event) {
      if (event.type === 'broken') broken.add(event.job)
      if (event.type !== 'run') return
      const label = runLabel(event)
      pairs.set(`${event.sha}\0${label}`, { label, failed: event.status === 'error' || event.status === 'timeout' })
    },
    summary() {
      const failed = [...pairs.values()].filter(pair => pair.failed).map(pair => pair.label)
      if (failed.length === 0 && broken.size === 0) return null
      const parts = [
        ...(failed.length > 0 ? [`${failed.length} run(s) failed (${listed(failed)})`] : []),
        ...(broken.size > 0 ? [`${broken.size} job file(s) broken (${listed([...broken])})`] : []),
      ]
      return `${parts.join(' and ')}: exit code 1 (--allow-failures exits 0)`
    },
  }
}

function listed(items: string[], max = 5): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ')
}
