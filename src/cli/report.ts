import { relative } from 'pathe'
import type { DevEvent } from '../dev/session'
import { lazyLogger } from '../utils/logger'

const logger = lazyLogger('gitvan')

/**
 * How `gitvan daemon` and `gitvan dev` print events: JSON lines with `--json`, else text; paths relative to `root`.
 * Progress of a backlog is for people watching a terminal: not printed when stdout is not one, nor as JSON.
 */
export function createReporter(options: { json?: boolean; root: string }): (event: DevEvent) => void {
  if (options.json) return event => event.type !== 'progress' && reportJson(event)
  return event => (event.type !== 'progress' || process.stdout.isTTY) && reportText(event, options.root)
}

/** Readable, colored, tagged lines for people; changed files are shown relative to `root`. */
export function reportText(event: DevEvent, root?: string): void {
  switch (event.type) {
    case 'run': {
      const line = `${runLabel(event)} ${event.status}${event.reason ? ` (${event.reason})` : ''} ${event.durationMs}ms${event.error ? `: ${event.error}` : ''}`
      // Skipped and cancelled runs are neither successes to celebrate nor failures: said plainly, with why.
      if (event.status === 'ok') logger.success(line)
      else if (event.status === 'skipped' || event.status === 'cancelled') logger.info(line)
      else logger.fail(line)
      return
    }
    case 'broken': {
      return logger.error(`job ${event.job} is broken: ${event.message}`)
    }
    case 'start': {
      const broken = event.broken.length > 0 ? `, ${event.broken.length} broken (${event.broken.join(', ')})` : ''
      return logger.info(`GitVan ${event.version} ${event.mode === 'once' ? 'processing what is pending' : 'watching'} ${event.root}: ${event.jobs.length} job(s)${broken}; worktree(s) ${event.worktrees.join(', ')}; runner ${event.runner}`)
    }
    case 'progress': {
      const left = event.secondsLeft === null ? '' : `, about ${event.secondsLeft} s left`
      return logger.info(`backlog: ${event.done} commit(s) done, ${event.pending} pending, ${event.perSecond}/s${left}`)
    }
    case 'reload': {
      const files = event.files.map(file => (root ? relative(root, file) : file))
      const changed = files.length > 3 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more` : files.join(', ')
      const what = event.config ? `restarted${changed ? ` after ${changed} changed` : ''} (config or plugins)` : `reloaded${changed ? ` after ${changed} changed` : ''}`
      return logger.info(`${what}: ${event.jobs} job(s) in ${event.durationMs}ms`)
    }
    case 'ui': {
      return logger.info(`the page of runs: ${event.url}`)
    }
    default: {
      return logger.warn(event.message)
    }
  }
}

/** One JSON object per line, for machines (`--json`). */
export function reportJson(event: DevEvent): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...event }))
}

/** A run as a person reads it: job and short commit, plus the tag, branch or slot of tag, branch and schedule runs. */
export function runLabel(event: Extract<DevEvent, { type: 'run' }>): string {
  const { trigger } = event
  const why = trigger.type === 'tag' ? `tag ${trigger.tag}` : trigger.type === 'branch' ? `branch ${trigger.branch}` : trigger.type === 'schedule' ? `schedule ${trigger.slot}` : ''
  return `${event.job} ${event.sha.slice(0, 7)}${why ? ` (${why})` : ''}`
}
