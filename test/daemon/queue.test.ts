import { describe, expect, it } from 'vitest'
import { createRunQueue } from '../../src/daemon/queue'
import type { QueueEntry } from '../../src/daemon/queue'
import type { GroupNeed } from '../../src/daemon/types'
import { isRunCancelled } from '../../src/exec/outcome'

// The run queue alone: which entry starts when, with runs the test ends by hand.

function harness(concurrency: number) {
  const started: string[] = []
  const dropped: string[] = []
  const running = new Map<string, { finish: () => void; signal: AbortSignal }>()
  const queue = createRunQueue<string>({
    concurrency,
    describe: value => value,
    start: (value, signal) => new Promise<void>((resolve) => {
      started.push(value)
      running.set(value, { finish: () => { running.delete(value); resolve() }, signal })
    }),
    drop: (value, outcome, reason) => dropped.push(`${value} ${outcome} (${reason})`),
  })
  const entry = (value: string, groups: GroupNeed[] = [], supersede?: string): QueueEntry<string> => ({ value, groups, supersede })
  const finish = async (value: string) => {
    running.get(value)!.finish()
    // The queue starts the next entries once the finished run's promise settles.
    await new Promise(resolve => setImmediate(resolve))
  }
  return { queue, started, dropped, running, entry, finish }
}

const one = (name: string, extra: Partial<GroupNeed> = {}): GroupNeed => ({ name, max: 1, ...extra })

describe('run queue', () => {
  it('starts at most `concurrency` runs, in the order they were queued', async () => {
    const { queue, started, entry, finish } = harness(2)
    queue.enqueue(['a', 'b', 'c', 'd'].map(value => entry(value)))
    expect(started).toEqual(['a', 'b'])
    await finish('b')
    expect(started).toEqual(['a', 'b', 'c'])
    await finish('a')
    await finish('c')
    await finish('d')
    expect(queue.size()).toBe(0)
    await queue.idle()
  })

  it('runs one group member at a time, oldest first, while other groups and free entries go on', async () => {
    const { queue, started, entry, finish } = harness(4)
    queue.enqueue([entry('g1', [one('g')]), entry('g2', [one('g')]), entry('h1', [one('h')]), entry('free')])
    expect(started).toEqual(['g1', 'h1', 'free'])
    await finish('g1')
    expect(started).toEqual(['g1', 'h1', 'free', 'g2'])
  })

  it('lets a group run `max` at once, and an entry needing two groups waits for both', async () => {
    const { queue, started, entry, finish } = harness(8)
    queue.enqueue([entry('a', [one('g', { max: 2 })]), entry('b', [one('g', { max: 2 })]), entry('c', [one('g', { max: 2 })]), entry('x', [one('h')]), entry('both', [one('g', { max: 2 }), one('h')])])
    expect(started).toEqual(['a', 'b', 'x'])
    await finish('a')
    expect(started).toEqual(['a', 'b', 'x', 'c'])
    await finish('x')
    expect(started).toEqual(['a', 'b', 'x', 'c'])
    await finish('b')
    expect(started).toEqual(['a', 'b', 'x', 'c', 'both'])
  })

  it('cancelInProgress: a newer entry cancels older waiting ones and aborts the running one', async () => {
    const { queue, started, dropped, running, entry } = harness(4)
    const group = one('deploy', { cancelInProgress: true })
    queue.enqueue([entry('d1', [group])])
    const signal = running.get('d1')!.signal
    queue.enqueue([entry('d2', [group]), entry('d3', [group])])
    expect(dropped).toEqual(['d2 cancelled (superseded by d3)'])
    expect(signal.aborted).toBe(true)
    expect(isRunCancelled(signal.reason)).toBe(true)
    expect((signal.reason as Error).message).toBe('superseded by d2')
    expect(started).toEqual(['d1'])
  })

  it('skipIntermediate: a newer entry of the same key skips the older one still waiting, not the running one', async () => {
    const { queue, started, dropped, entry, finish } = harness(1)
    queue.enqueue([entry('c1', [one('job')], 'job@main')])
    queue.enqueue([entry('c2', [one('job')], 'job@main'), entry('c3', [one('job')], 'job@main')])
    expect(started).toEqual(['c1'])
    expect(dropped).toEqual(['c2 skipped (superseded by c3)'])
    await finish('c1')
    expect(started).toEqual(['c1', 'c3'])
  })

  it('clear drops what waits and leaves what runs', async () => {
    const { queue, started, entry, finish } = harness(1)
    queue.enqueue([entry('a'), entry('b'), entry('c', [one('g')])])
    expect(queue.clear()).toEqual(['b', 'c'])
    expect(queue.size()).toBe(1)
    await finish('a')
    expect(started).toEqual(['a'])
    await queue.idle()
  })

  it('a backlog of 20,000 entries in one group starts each in turn without rescanning the queue', async () => {
    const { queue, started, entry, finish } = harness(4)
    queue.enqueue(Array.from({ length: 20_000 }, (_, i) => entry(String(i), [one('g')])))
    for (let i = 0; i < 20_000; i++) {
      expect(started.at(-1)).toBe(String(i))
      await finish(String(i))
    }
    await queue.idle()
  })
})
