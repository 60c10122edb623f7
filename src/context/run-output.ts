import { formatWithOptions } from 'node:util'
import type { ConsolaInstance, ConsolaReporter } from 'consola'
import type { GitVanContext } from '../types/context'
import type { RunLogStream } from '../types/log'
import { loadConsola } from '../utils/logger'
import { tryUseGitVan } from './use-gitvan'

// The patch is process-wide, and a second copy of this module (loaded through jiti) must not patch again.
const ROUTED = Symbol.for('gitvan.console.routed')

const METHODS = { log: 'stdout', info: 'stdout', debug: 'stdout', warn: 'stderr', error: 'stderr', trace: 'stderr' } as const satisfies Record<string, RunLogStream>

/**
 * Route `console.*` of job code to the run it belongs to, once per process: inside a run (found through the async
 * context) a call is kept in the run's log and printed, redacted, labelled with the job id; outside any run it
 * goes to the real console untouched.
 */
export function routeConsole(): void {
  const global = globalThis as { [ROUTED]?: true }
  if (global[ROUTED]) return
  global[ROUTED] = true
  const realError = console.error.bind(console)
  for (const [method, stream] of Object.entries(METHODS) as [keyof typeof METHODS, RunLogStream][]) {
    const real = console[method].bind(console)
    const routed = (...args: unknown[]) => {
      const ctx = tryUseGitVan()
      if (!ctx) return real(...args)
      let text = formatWithOptions({ colors: false }, ...args)
      if (method === 'trace') {
        const trace = { name: 'Trace', message: text } as Error
        Error.captureStackTrace(trace, routed)
        text = trace.stack!
      }
      // The labelled text of a trace already holds its stack: print it as an error, not as another trace.
      ;(method === 'trace' ? realError : real)(label(jobOf(ctx), ctx.runLog.write(stream, text)))
    }
    console[method] = routed
  }
}

/**
 * The logger of every run (`ctx.logger`): consola printing through the global instance's reporters at its level.
 * Inside a run (found through the async context) a line is tagged with the job id and kept in the run's log too
 * (info and up, whatever the level shown; warnings and errors as stderr), redacted before it is kept or shown.
 * One instance for all runs: the daemon creates thousands of contexts whose jobs never log.
 */
export function createRunLogger(): ConsolaInstance {
  const { consola } = loadConsola()
  const reporter: ConsolaReporter = {
    log(logObj, ctx) {
      const run = tryUseGitVan()
      let shown = logObj
      if (run) {
        const text = run.runLog.write(logObj.level <= 1 ? 'stderr' : 'stdout', formatWithOptions({ colors: false }, ...logObj.args))
        shown = { ...logObj, tag: jobOf(run), args: [text] }
      }
      if (logObj.level > consola.level) return
      for (const base of consola.options.reporters) base.log(shown, ctx)
    },
  }
  // No throttling: a repeated line is part of the output, not noise to fold away.
  return consola.create({ reporters: [reporter], throttle: 0, level: Math.max(consola.level, INFO), defaults: { ...consola.options.defaults, tag: 'gitvan' } })
}

/** consola's level of `info`, `success`, `log`: the least a run's log keeps. */
const INFO = 3

/** The job a context runs: the innermost of its chain. */
function jobOf(ctx: Pick<GitVanContext, 'jobChain'>): string {
  return ctx.jobChain.at(-1) ?? 'gitvan'
}

function label(job: string, text: string): string {
  return text.split('\n').map(line => `[${job}] ${line}`).join('\n')
}
