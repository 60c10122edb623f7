import { RunCancelled } from '../exec/outcome'
import type { GroupNeed } from './types'

/** One run waiting for, or holding, a place. */
export interface QueueEntry<T> {
  readonly value: T
  readonly groups: readonly GroupNeed[]
  /** Entries with the same key: a newer one supersedes an older one still waiting (`skipIntermediate`). */
  readonly supersede?: string
}

export interface RunQueueOptions<T> {
  /** Runs at once, whatever their groups. */
  concurrency: number
  /** Start `value`; `signal` aborts with a `RunCancelled` when a newer run of a `cancelInProgress` group came. */
  start: (value: T, signal: AbortSignal) => Promise<void>
  /** `value` will not run: a newer entry superseded it (`skipped`) or cancelled it (`cancelled`) while it waited. */
  drop: (value: T, outcome: 'skipped' | 'cancelled', reason: string) => void
  /** Describes an entry in reasons ("superseded by ..."). */
  describe: (value: T) => string
}

export interface RunQueue<T> {
  /** Add entries in the order they must start (oldest commit first). */
  enqueue: (entries: QueueEntry<T>[]) => void
  /** Entries waiting plus running. */
  size: () => number
  running: () => number
  /** Resolves once nothing waits or runs. */
  idle: () => Promise<void>
  /** Drop every waiting entry (shutdown): they are not started and get no receipt. */
  clear: () => T[]
}

interface Slot<T> extends QueueEntry<T> {
  seq: number
  state: 'waiting' | 'running' | 'gone'
  controller?: AbortController
}

/** A first-in first-out list whose entries may leave from the middle (they are skipped, then compacted away). */
class Fifo<T extends { state: string }> {
  private items: T[] = []
  private head = 0
  private live = 0

  push(item: T): void {
    this.items.push(item)
    this.live++
  }

  /** One entry left the list (started or dropped). */
  left(): void {
    this.live--
    while (this.head < this.items.length && this.items[this.head]!.state !== 'waiting') this.head++
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }

  /** The first `n` waiting entries. */
  first(n: number): T[] {
    const found: T[] = []
    for (let i = this.head; i < this.items.length && found.length < n; i++) {
      if (this.items[i]!.state === 'waiting') found.push(this.items[i]!)
    }
    return found
  }

  waiting(): T[] {
    return this.items.slice(this.head).filter(item => item.state === 'waiting')
  }

  get size(): number {
    return this.live
  }
}

/**
 * Runs in order under a concurrency limit and per-group limits. Each group is a FIFO: an entry starts when the
 * limit has room and it is among the first `max - running` waiting entries of every group it needs, so runs of
 * one group start oldest first and never exceed its `max`. Picking the next run looks only at group heads, so
 * a backlog of thousands of waiting entries costs nothing per start.
 */
export function createRunQueue<T>(options: RunQueueOptions<T>): RunQueue<T> {
  let seq = 0
  let waitingCount = 0
  const free = new Fifo<Slot<T>>()
  const groups = new Map<string, { max: number; queue: Fifo<Slot<T>>; active: Set<Slot<T>> }>()
  const latest = new Map<string, Slot<T>>()
  const running = new Set<Slot<T>>()
  let idleWaiters: (() => void)[] = []

  const groupOf = (need: GroupNeed) => {
    let group = groups.get(need.name)
    if (!group) groups.set(need.name, group = { max: need.max, queue: new Fifo(), active: new Set() })
    return group
  }
  const room = (name: string) => {
    const group = groups.get(name)!
    return group.max - group.active.size
  }

  function eligible(slot: Slot<T>): boolean {
    return slot.groups.every(need => room(need.name) > 0 && groups.get(need.name)!.queue.first(room(need.name)).includes(slot))
  }

  function candidates(): Slot<T>[] {
    const found = new Set<Slot<T>>(free.first(1))
    for (const [name, group] of groups) for (const slot of group.queue.first(Math.max(0, room(name)))) found.add(slot)
    return [...found].sort((a, b) => a.seq - b.seq)
  }

  function leave(slot: Slot<T>, state: Slot<T>['state']): void {
    slot.state = state
    waitingCount--
    if (slot.groups.length === 0) free.left()
    for (const need of slot.groups) groups.get(need.name)!.queue.left()
  }

  function pump(): void {
    while (running.size < options.concurrency) {
      const next = candidates().find(eligible)
      if (!next) break
      leave(next, 'running')
      run(next)
    }
    if (running.size === 0 && waitingCount === 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  function run(slot: Slot<T>): void {
    slot.controller = new AbortController()
    running.add(slot)
    for (const need of slot.groups) groups.get(need.name)!.active.add(slot)
    void options.start(slot.value, slot.controller.signal).catch(() => {}).finally(() => {
      slot.state = 'gone'
      running.delete(slot)
      for (const need of slot.groups) {
        const group = groups.get(need.name)!
        group.active.delete(slot)
        if (group.active.size === 0 && group.queue.size === 0) groups.delete(need.name)
      }
      pump()
    })
  }

  /** A newer entry joins: an older waiting entry it supersedes is skipped, older runs of its cancel groups cancelled. */
  function supersede(newer: Slot<T>): void {
    const reason = `superseded by ${options.describe(newer.value)}`
    if (newer.supersede) {
      const older = latest.get(newer.supersede)
      latest.set(newer.supersede, newer)
      if (older?.state === 'waiting') {
        leave(older, 'gone')
        options.drop(older.value, 'skipped', reason)
      }
    }
    for (const need of newer.groups.filter(need => need.cancelInProgress)) {
      const group = groups.get(need.name)!
      for (const older of group.queue.waiting().filter(slot => slot.seq < newer.seq)) {
        leave(older, 'gone')
        options.drop(older.value, 'cancelled', reason)
      }
      for (const older of group.active) older.controller?.abort(new RunCancelled(reason))
    }
  }

  return {
    enqueue(entries) {
      for (const entry of entries) {
        const slot: Slot<T> = { ...entry, seq: seq++, state: 'waiting' }
        waitingCount++
        if (slot.groups.length === 0) free.push(slot)
        for (const need of slot.groups) groupOf(need).queue.push(slot)
        supersede(slot)
      }
      pump()
    },
    size: () => running.size + waitingCount,
    running: () => running.size,
    idle: () => (running.size === 0 && waitingCount === 0 ? Promise.resolve() : new Promise(resolve => idleWaiters.push(resolve))),
    clear() {
      const dropped = [...new Set([...free.waiting(), ...[...groups.values()].flatMap(group => group.queue.waiting())])].sort((a, b) => a.seq - b.seq)
      for (const slot of dropped) leave(slot, 'gone')
      pump()
      return dropped.map(slot => slot.value)
    },
  }
}
