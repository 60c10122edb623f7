/**
 * An AbortSignal that fires after `ms` with a TimeoutError. Unlike `AbortSignal.timeout()`, its timer keeps
 * the process alive: a CLI waiting on a hung job must time out, not exit with an unsettled promise.
 */
export function createDeadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms)
  return { signal: controller.signal, clear: () => clearTimeout(timer) }
}
