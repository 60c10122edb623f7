import { listRefs } from '../git/refs'
import type { RefTxOp } from '../types/git'
import type { RunLog } from '../types/log'
import type { Receipt } from '../types/receipt'
import type { ReceiptStore } from '../receipts/store'
import type { Lease } from '../locks/lease'
import { LEASE_PREFIX } from '../locks/lease-ref'

/** A finished run waiting to be recorded (its receipt and log), and the lease (ref) that guards it. */
export interface FinishedRun {
  receipt: Receipt
  log?: RunLog
  leaseRef: string
}

/**
 * Publish receipts fenced by their leases: every lease guarding a run is verified to still be ours (`leaseOf`
 * gives its current id, which renewals change) and `release` leases are deleted by compare-and-swap from our id,
 * in the same transaction as the receipts. A run whose lease was lost (expired and taken over) is left out: the
 * new holder's run is the one recorded.
 */
export async function publishRuns(store: ReceiptStore, cwd: string, runs: FinishedRun[], leaseOf: (ref: string) => Lease | null, release: Lease[] = []): Promise<{ written: Receipt[]; lost: FinishedRun[] }> {
  let pending = runs
  let free = release
  const lost: FinishedRun[] = []
  for (;;) {
    // The lease ids this attempt expects; a keeper that renews meanwhile makes the attempt fail, and we retry.
    const freed = new Set(free.map(lease => lease.ref))
    const expected = new Map<string, string>()
    for (const run of pending) {
      const id = leaseOf(run.leaseRef)?.id
      if (id) expected.set(run.leaseRef, id)
    }
    lost.push(...pending.filter(run => !expected.has(run.leaseRef)))
    pending = pending.filter(run => expected.has(run.leaseRef))
    const fence: RefTxOp[] = [
      ...[...expected].filter(([ref]) => !freed.has(ref)).map(([ref, id]) => ({ ref, verify: id })),
      ...free.map(lease => ({ ref: lease.ref, oldValue: lease.id, newValue: null })),
    ]
    const written = await store.publish(pending.map(run => ({ receipt: run.receipt, log: run.log })), fence)
    if (written) return { written, lost }
    // A lease that git holds under another id while our keeper still expects the one we used was taken over:
    // its runs are dropped. Anything else (the notes ref moved, a renewal raced us) is simply tried again.
    const held = new Map((await listRefs(cwd, LEASE_PREFIX)).map(entry => [entry.ref, entry.sha]))
    const takenOver = (ref: string, used: string | undefined) => held.get(ref) !== used && leaseOf(ref)?.id === used
    lost.push(...pending.filter(run => takenOver(run.leaseRef, expected.get(run.leaseRef))))
    pending = pending.filter(run => !takenOver(run.leaseRef, expected.get(run.leaseRef)))
    free = free.filter(lease => held.get(lease.ref) === lease.id)
  }
}
