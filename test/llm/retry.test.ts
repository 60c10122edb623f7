import { describe, expect, it } from 'vitest'
import { parseRetryAfter, retryDelay } from '../../src/llm/retry'

const POLICY = { maxRetries: 5, retryDelay: 100, maxRetryDelay: 1000 }

describe('retryDelay', () => {
  it('doubles per retry with jitter between half and the whole backoff', () => {
    expect([1, 2, 3].map(attempt => retryDelay(attempt, POLICY, undefined, () => 0))).toEqual([50, 100, 200])
    expect([1, 2, 3].map(attempt => retryDelay(attempt, POLICY, undefined, () => 1))).toEqual([100, 200, 400])
  })

  it('caps the backoff', () => {
    expect(retryDelay(10, POLICY, undefined, () => 1)).toBe(1000)
  })

  it('prefers Retry-After, capped as well', () => {
    expect(retryDelay(1, POLICY, 300)).toBe(300)
    expect(retryDelay(1, POLICY, 60_000)).toBe(1000)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter('0.5')).toBe(500)
    const now = Date.parse('2025-01-01T00:00:00Z')
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0)
  })

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('')).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter('-1')).toBeUndefined()
  })
})
