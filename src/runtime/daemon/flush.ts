import { buildNotesCommit } from '../../git/notes'
import { listRefs, refTransaction } from '../../git/refs'
import type { RefTxOp } from '../../types/git'
import type { Receipt } from '../../types/receipt'
import type { Lease } from '../lease'
import { LEASE_PREFIX } from '../lease-ref'

/** A finished run waiting to be recorded, and the lease (ref) that guards it. */
export interface FinishedRun {
  receipt: Receipt
  leaseRef: string
}

/**
 * Publish receipts in one all-or-nothing `update-ref --stdin` transaction: the notes ref moves by
 * compare-and-swap, every lease guarding a run is verified to still be ours (`leaseOf` gives its current id,
 * which renewals change), and `release` leases are deleted by compare-and-swap from our id. A run whose lease
 * was lost (expired and taken over) is left out: the new holder's run is the one recorded.
 */
export async function publishRuns(cwd: string, notesRef: string, runs: FinishedRun[], leaseOf: (ref: string) => Lease | null, release: Lease[] = []): Promise<{ written: Receipt[]; lost: FinishedRun[] }> {
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
    const notes = pending.length > 0
      ? await buildNotesCommit(cwd, notesRef, pending.map(run => ({ object: run.receipt.sha, text: JSON.stringify(run.receipt), mode: 'append' as const })), { message: 'GitVan receipts' })
      : undefined
    const ops: RefTxOp[] = [
      ...(notes ? [{ ref: notesRef, oldValue: notes.parent, newValue: notes.commit }] : []),
      ...[...expected].filter(([ref]) => !freed.has(ref)).map(([ref, id]) => ({ ref, verify: id })),
      ...free.map(lease => ({ ref: lease.ref, oldValue: lease.id, newValue: null })),
    ]
    if (ops.length === 0 || (await refTransaction(cwd, ops))) return { written: pending.map(run => run.receipt), lost }
    // A lease that git holds under another id while our keeper still expects the one we used was taken over:
    // its runs are dropped. Anything else (the notes ref moved, a renewal raced us) is simply tried again.
    const held = new Map((await listRefs(cwd, LEASE_PREFIX)).map(entry => [entry.ref, entry.sha]))
    const takenOver = (ref: string, used: string | undefined) => held.get(ref) !== used && leaseOf(ref)?.id === used
    lost.push(...pending.filter(run => takenOver(run.leaseRef, expected.get(run.leaseRef))))
    pending = pending.filter(run => !takenOver(run.leaseRef, expected.get(run.leaseRef)))
    free = free.filter(lease => held.get(lease.ref) === lease.id)
  }
}
