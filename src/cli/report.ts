import { consola } from 'consola'
import type { DevEvent } from '../dev/session'

const logger = consola.withTag('gitvan')

/** Readable, colored, tagged lines for people (`gitvan daemon`, `gitvan dev`). */
export function reportText(event: DevEvent): void {
  switch (event.type) {
    case 'run': {
      const line = `${event.job} ${event.sha.slice(0, 7)} ${event.status} ${event.durationMs}ms${event.error ? `: ${event.error}` : ''}`
      if (event.status === 'ok') logger.success(line)
      else logger.fail(line)
      return
    }
    case 'broken': {
      return logger.error(`job ${event.job} is broken: ${event.message}`)
    }
    case 'reload': {
      return logger.info(`${event.config ? 'restarted (config or plugins changed)' : 'reloaded'}: ${event.jobs} job(s) in ${event.durationMs}ms`)
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
