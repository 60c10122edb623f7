import { describe, expect, it } from 'vitest'
import { advanceLine, plannedItems, settledPrefix } from '../../src/daemon/line-work'
import type { LineWork } from '../../src/daemon/line-work'
import { itemId } from '../../src/daemon/plan'
import { itemStatus, progressOf, retryAt } from '../../src/daemon/progress'
import type { DaemonJob, WorkItem } from '../../src/daemon/types'
import { planClaim } from '../../src/locks/claims'
import type { Claim } from '../../src/locks/claims'
import type { Receipt } from '../../src/types/receipt'

// The daemon's decisions as pure functions: what the receipts say, what a claim may take, how far a line settles.

const sha = (n: number) => String(n).padStart(40, '0')
const job = (id: string, retry?: { count: number; backoff?: number }): DaemonJob => ({ id, job: { kind: 'atomic', meta: {}, run: () => {}, ...(retry ? { retry } : {}) }, triggers: {} })
const item = (owner: DaemonJob, n: number): WorkItem => ({
  job: owner, key: sha(n), sha: sha(n), noteOn: sha(n), trigger: { type: 'commit', sha: sha(n), branch: 'main' }, branch: 'main', place: { id: 'main', root: '/r', branch: 'main' }, line: 'main', groups: [],
})
const receipt = (jobId: string, n: number, status: Receipt['status'], finishedAt = '2026-01-01T00:00:00.000Z', trigger: Receipt['trigger'] = { type: 'commit', sha: sha(n), branch: 'main' }): Receipt => ({
  v: 1, job: jobId, sha: sha(n), ok: status === 'ok' || status === 'skipped', status, trigger, startedAt: finishedAt, finishedAt, durationMs: 0, worktree: 'main', host: 'h', pid: 1,
})

describe('what the receipts say about a pair', () => {
  const at = Date.parse('2026-01-01T00:00:00.000Z')

  it('a success, a skip or a cancellation settles it; nothing, or a manual failure, leaves it to do', () => {
    const a = job('a')
    const progress = progressOf([receipt('a', 1, 'ok'), receipt('a', 2, 'skipped'), receipt('a', 3, 'cancelled'), receipt('a', 4, 'error', undefined, { type: 'manual' })])
    expect([1, 2, 3, 4, 5].map(n => itemStatus(item(a, n), progress, at))).toEqual(['done', 'done', 'done', 'todo', 'todo'])
  })

  it('a retry policy of N allows N + 1 runs, each after its doubled backoff', () => {
    const flaky = job('flaky', { count: 2, backoff: 1000 })
    const once = progressOf([receipt('flaky', 1, 'error')])
    expect(itemStatus(item(flaky, 1), once, at + 999)).toBe('waiting')
    expect(retryAt(item(flaky, 1), once)).toBe(at + 1000)
    expect(itemStatus(item(flaky, 1), once, at + 1000)).toBe('todo')
    const twice = progressOf([receipt('flaky', 1, 'error'), receipt('flaky', 1, 'timeout')])
    expect(retryAt(item(flaky, 1), twice)).toBe(at + 2000)
    const thrice = progressOf([receipt('flaky', 1, 'error'), receipt('flaky', 1, 'error'), receipt('flaky', 1, 'error')])
    expect(itemStatus(item(flaky, 1), thrice, at + 1e9)).toBe('failed')
    // A success after failures settles it for good.
    expect(itemStatus(item(flaky, 1), progressOf([receipt('flaky', 1, 'error'), receipt('flaky', 1, 'ok')]), at)).toBe('done')
  })

  it('tag, branch and schedule receipts settle their own keys, job runs settle nothing', () => {
    const progress = progressOf([
      receipt('t', 1, 'ok', undefined, { type: 'tag', tag: 'v1', sha: sha(1) }),
      receipt('j', 1, 'ok', undefined, { type: 'job', parent: 'x' }),
    ])
    expect([...progress.keys()]).toEqual(['t\0tag:v1'])
  })
})

describe('what a claim may take', () => {
  const claim = (runner: string, items: string[], groups: string[] = []): [string, Claim] => [`${runner}-claim`, { runner, since: 0, items, groups }]

  it('grants items nobody holds, and reports those another live runner holds', () => {
    const plan = planClaim({ live: [claim('other', ['a 1'])] }, 'me', [{ item: 'a 1' }, { item: 'a 2' }])
    expect(plan.granted).toEqual(['a 2'])
    expect([...plan.held]).toEqual([['a 1', 'other']])
  })

  it('a group another runner holds keeps its items from everyone else, up to its max', () => {
    const g = { name: 'job:a@h:/r', max: 1 }
    const held = planClaim({ live: [claim('other', ['a 1'], ['job:a@h:/r'])] }, 'me', [{ item: 'a 2', groups: [g] }])
    expect(held.granted).toEqual([])
    expect([...held.held]).toEqual([['a 2', 'other']])
    const room = planClaim({ live: [claim('other', ['a 1'], ['job:a@h:/r'])] }, 'me', [{ item: 'a 2', groups: [{ ...g, max: 2 }] }])
    expect(room.granted).toEqual(['a 2'])
    // The runner holding the group takes more of it.
    expect(planClaim({ live: [claim('me', ['a 1'], ['job:a@h:/r'])] }, 'me', [{ item: 'a 2', groups: [g] }]).granted).toEqual(['a 2'])
  })

  it('shared with other live runners, a claim takes its share of the free items (at least 8), leaving the rest unheld', () => {
    const requests = Array.from({ length: 100 }, (_, i) => ({ item: `a ${i}` }))
    expect(planClaim({ live: [] }, 'me', requests).granted).toHaveLength(100)
    const first = planClaim({ live: [] }, 'me', requests, 3)
    expect(first.granted).toEqual(requests.slice(0, 34).map(request => request.item))
    expect(first.held.size).toBe(0)
    // The next runner shares what is still free: 66 items among 3 runners.
    const second = planClaim({ live: [claim('other', first.granted)] }, 'me', requests, 3)
    expect(second.granted).toEqual(requests.slice(34, 56).map(request => request.item))
    expect(second.held.size).toBe(34)
    // Near the end, claims do not shrink below 8 items.
    expect(planClaim({ live: [] }, 'me', requests.slice(0, 10), 3).granted).toHaveLength(8)
  })

  it('an item this runner holds already is neither granted again nor held', () => {
    const plan = planClaim({ live: [claim('me', ['a 1'])] }, 'me', [{ item: 'a 1' }])
    expect(plan.granted).toEqual([])
    expect(plan.held.size).toBe(0)
  })
})

describe('how far a line settles', () => {
  const a = job('a')
  const work = (): LineWork => ({
    line: { name: 'main', branch: 'main', tip: sha(4), place: { id: 'main', root: '/r', branch: 'main' }, checkedOut: true },
    base: sha(0),
    shas: [sha(1), sha(2), sha(3), sha(4)],
    items: new Map([[sha(1), [item(a, 1)]], [sha(2), []], [sha(3), [item(a, 3)]]]),
  })

  it('moves past settled commits in order and stops at the first unsettled or unplanned one', () => {
    const settled = new Set([itemId(item(a, 1))])
    expect(settledPrefix(work(), candidate => settled.has(itemId(candidate)))).toBe(2)
    settled.add(itemId(item(a, 3)))
    // sha(4) was never planned: it holds the line.
    expect(settledPrefix(work(), candidate => settled.has(itemId(candidate)))).toBe(3)
    expect(plannedItems(work()).map(itemId)).toEqual([itemId(item(a, 1)), itemId(item(a, 3))])
  })

  it('advancing drops the settled commits and starts the line after the last of them', () => {
    const line = work()
    expect(advanceLine(line, 2)).toEqual([sha(1), sha(2)])
    expect(line.base).toBe(sha(2))
    expect(line.shas).toEqual([sha(3), sha(4)])
    expect([...line.items.keys()]).toEqual([sha(3)])
  })
})
