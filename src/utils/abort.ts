/**
 * One signal that aborts when any of `signals` does, with the first one's reason; `dispose()` detaches it. Unlike
 * `AbortSignal.any`, nothing keeps it alive once disposed: a daemon links every run to its lifetime signal, and
 * thousands of dead runs must not stay reachable from that one signal.
 */
export function linkSignals(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController()
  const sources = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  const abort = (event: Event) => controller.abort((event.target as AbortSignal).reason)
  const dispose = () => {
    for (const source of sources) source.removeEventListener('abort', abort)
  }
  const already = sources.find(source => source.aborted)
  if (already) controller.abort(already.reason)
  else for (const source of sources) source.addEventListener('abort', abort, { once: true })
  return { signal: controller.signal, dispose }
}
