/** How long work that was told to stop (its signal aborted) gets to wind down before it is given up on. */
export const ABORT_GRACE_MS = 3000

/**
 * Settle with `promise`; once `signal` aborts, give it `graceMs` to settle by itself (a `cli` step kills its
 * process group and reports the timeout), then reject with the abort reason: work that ignores its signal
 * cannot hang a run.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal, graceMs = ABORT_GRACE_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => {
      timer = setTimeout(() => reject(signal.reason), graceMs)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    })
  })
}
