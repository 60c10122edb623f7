import { setTimeout as sleep } from 'node:timers/promises'
import type { LLMRetryInfo } from '../types/llm'

export interface RetryPolicy {
  maxRetries: number
  /** First backoff delay in ms, doubled per retry. */
  retryDelay: number
  /** Cap for any delay, the server's `Retry-After` included. */
  maxRetryDelay: number
}

/** A `Retry-After` header in milliseconds: delay-seconds (fractions tolerated) or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const trimmed = value?.trim()
  if (!trimmed) return undefined
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  // HTTP dates end in GMT; anything else (e.g. "-1", which Date.parse reads as a year) is ignored.
  const date = trimmed.endsWith('GMT') ? Date.parse(trimmed) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Delay before retry `attempt` (1-based): the server's `Retry-After` when given, else exponential backoff with jitter; capped. */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryDelay)
  const backoff = policy.retryDelay * 2 ** (attempt - 1)
  // Equal jitter: at least half the backoff, so many clients spread out without retrying at once.
  return Math.min(policy.maxRetryDelay, Math.round(backoff / 2 + random() * (backoff / 2)))
}

/** Run `attempt` until it succeeds, `canRetry` says no, or the retries are used up; the backoff sleep ends on abort. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: RetryPolicy & { signal: AbortSignal; canRetry: (error: unknown) => boolean; onRetry: (info: LLMRetryInfo) => void },
): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await attempt()
    } catch (error) {
      if (retry > options.maxRetries || !options.canRetry(error)) throw error
      const delayMs = retryDelay(retry, options, (error as { retryAfterMs?: number }).retryAfterMs)
      options.onRetry({ attempt: retry, delayMs, error: error as Error })
      await sleep(delayMs, undefined, { signal: options.signal })
    }
  }
}
