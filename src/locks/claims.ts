import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { withCatFile } from '../git/cat-file'
import { casBackoff } from '../git/cas'
import { writeBlobs } from '../git/file-commit'
import { readRef } from '../git/refs'
import { refStoreOf } from '../git/ref-store'
import type { RefStore, RefTxOp } from '../types/git'
import type { LeaseRecord } from './lease'
import { LEASE_PREFIX } from './lease'
import type { Runner, RunnerLiveness } from './runners'
import { listRunners } from './runners'

/**
 * The claims ledger: `refs/gitvan/locks/claims` points at a blob, a JSON document saying which runner works on what
 * right now (a blob: one object per change, where a commit would cost three). Every runner claims and releases work by compare-and-swap on this one ref, fenced by its
 * own runner lease, so two runners never hold one item, and a runner judged dead loses its claims and its lease in
 * one transaction. Items and groups are opaque strings to this layer (the daemon makes them from jobs, commits,
 * worktrees). The ref is deleted when nothing is claimed.
 */
export const CLAIMS_REF = `${LEASE_PREFIX}claims`
const ATTEMPTS = 50
/** How often a runner alone in the ledger still looks for dead runners' leases to delete. */
const SWEEP_EVERY = 10_000
/** The fewest items a claim takes while other runners share the work: every claim is one ledger write. */
const MIN_SHARE = 8
const lastSweep = new WeakMap<Runner, number>()

export interface Claim {
  /** The runner lease ref holding it. */
  runner: string
  /** Epoch ms when it was claimed. */
  since: number
  /** Work items: nobody else runs these while the claim lives. */
  items: string[]
  /** Groups: while the claim lives, other runners take no item of these groups (see `ClaimRequest.groups`). */
  groups: string[]
}

export interface ClaimsLedger {
  v: 1
  claims: Record<string, Claim>
  /**
   * Who wrote this version (a random id per write): no two writes make the same blob, so two writers that built
   * the same ledger can never both win a remote's compare-and-swap (a push to a ref already at its value counts).
   */
  w?: string
}

export interface LedgerSnapshot {
  /** The commit the ref pointed to (`null`: nothing claimed). */
  id: string | null
  ledger: ClaimsLedger
}

export interface ClaimRequest {
  item: string
  /** Groups the item needs, each with how many runners may hold it at once (a concurrency group's `max`). */
  groups?: { name: string; max: number }[]
}

export interface ClaimResult {
  /** The id of the new claim, `null` when nothing was granted. */
  claim: string | null
  granted: string[]
  /** Items another live runner holds (directly or through a group), with its owner: they are its work. */
  held: Map<string, string>
  /** Runners judged dead whose claims and lease were removed by this call, with why. */
  reclaimed: { runner: string; why: string }[]
}

export class ClaimError extends Error {
  override name = 'ClaimError'
}

export async function readLedger(repo: string | RefStore): Promise<LedgerSnapshot> {
  const { cwd } = refStoreOf(repo)
  const id = await readRef(cwd, CLAIMS_REF)
  if (!id) return { id: null, ledger: emptyLedger() }
  const text = await withCatFile(cwd, cat => cat.readText(id))
  try {
    const ledger = JSON.parse(text ?? '') as ClaimsLedger
    if (ledger?.v === 1 && typeof ledger.claims === 'object' && ledger.claims !== null) return { id, ledger }
  } catch {
    // Unreadable: treated as empty below, and replaced by the next write.
  }
  return { id, ledger: emptyLedger() }
}

/**
 * Claim what can be claimed of `requests` for `runner`: items no live runner holds, in groups no other live
 * runner holds (up to their `max`). Claims of runners that `liveness` judges dead are removed, and their leases
 * deleted, in the same transaction, so a runner that comes back can publish nothing. Retried (bounded) while other
 * runners move the ledger first. Over a remote, the ledger and the runner leases are fetched before each attempt.
 */
export async function claimWork(repo: string | RefStore, runner: Runner, requests: ClaimRequest[], liveness: RunnerLiveness, options: { release?: readonly string[] } = {}): Promise<ClaimResult> {
  const store = refStoreOf(repo)
  const { cwd } = store
  const release = options.release ?? []
  for (let attempt = 0; ; attempt++) {
    if (!runner.lease()) throw new ClaimError(`Runner ${runner.owner} lost its lease in ${cwd}: it claims nothing more`)
    await store.sync([LEASE_PREFIX])
    const { id, ledger } = await readLedger(cwd)
    // Other runners' leases matter when they hold claims; else they are only swept for dead ones now and then.
    // Other runners' leases matter when they hold claims or could share the work asked for (more than one share's
    // least); else they are only swept for dead ones now and then.
    const others = Object.values(ledger.claims).some(claim => claim.runner !== runner.ref)
    const sweep = Date.now() - (lastSweep.get(runner) ?? 0) >= SWEEP_EVERY
    const runners = others || sweep || attempt > 0 || requests.length > MIN_SHARE ? await listRunners(cwd) : []
    if (runners.length > 0 || sweep) lastSweep.set(runner, Date.now())
    const judged = judgeClaims(ledger, runners, runner.ref, liveness)
    // Released claims (their work is published) no longer hold anything.
    judged.live = judged.live.filter(([claim]) => !release.includes(claim))
    const sharing = 1 + runners.filter(record => record.ref !== runner.ref && !judged.why.has(record.ref)).length
    const plan = planClaim(judged, runner.ref, requests, sharing)
    const claimId = plan.granted.length > 0 ? `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}` : null
    const releasing = release.filter(claim => claim in ledger.claims)
    if (!claimId && judged.dead.length === 0 && releasing.length === 0) return { claim: null, granted: [], held: plan.held, reclaimed: [] }
    const next = structuredClone(ledger)
    for (const dead of judged.dead) delete next.claims[dead.claim]
    for (const claim of releasing) delete next.claims[claim]
    if (claimId) next.claims[claimId] = { runner: runner.ref, since: Date.now(), items: plan.granted, groups: plan.groups }
    const ops: RefTxOp[] = [
      await ledgerOp(cwd, id, next),
      ...judged.deadRunners.map(record => ({ ref: record.ref, oldValue: record.id, newValue: null })),
    ]
    if (await runner.fenced(async fence => (await store.transaction([...ops, ...fence])) || null)) {
      const reclaimed = [...new Set(judged.dead.map(entry => entry.runner))].map(ref => ({ runner: judged.deadRunners.find(record => record.ref === ref)?.content?.owner ?? ref, why: judged.why.get(ref)! }))
      return { claim: claimId, granted: plan.granted, held: plan.held, reclaimed }
    }
    if (attempt >= ATTEMPTS) throw new ClaimError(`Could not claim work in ${cwd}: other runners moved ${CLAIMS_REF} ${attempt + 1} times in a row; retry later`)
    await sleep(casBackoff(attempt))
  }
}

/**
 * The ledger write that drops `claims` (e.g. those whose work is published now), as ops for the caller's
 * transaction, built on the ledger as it is now. If the transaction fails because the ledger moved, build again.
 */
export async function releaseOps(repo: string | RefStore, claims: string[]): Promise<RefTxOp[]> {
  if (claims.length === 0) return []
  const store = refStoreOf(repo)
  const { cwd } = store
  await store.sync([CLAIMS_REF])
  const { id, ledger } = await readLedger(cwd)
  if (!claims.some(claim => claim in ledger.claims)) return []
  const next = structuredClone(ledger)
  for (const claim of claims) delete next.claims[claim]
  return [await ledgerOp(cwd, id, next)]
}

interface JudgedClaims {
  /** Claims whose runner is dead, with that runner. */
  dead: { claim: string; runner: string }[]
  /** Dead runners that still have a lease ref: deleted by compare-and-swap from the lease judged. */
  deadRunners: LeaseRecord[]
  why: Map<string, string>
  /** Live claims (id -> claim). */
  live: [string, Claim][]
}

function judgeClaims(ledger: ClaimsLedger, runners: LeaseRecord[], self: string, liveness: RunnerLiveness): JudgedClaims {
  const records = new Map(runners.map(record => [record.ref, record]))
  const why = new Map<string, string>()
  const dead: JudgedClaims['dead'] = []
  const live: JudgedClaims['live'] = []
  for (const [claim, entry] of Object.entries(ledger.claims)) {
    if (entry.runner === self) {
      live.push([claim, entry])
      continue
    }
    const record = records.get(entry.runner)
    const reason = record ? liveness.deadBecause(record) : 'its runner lease is gone'
    if (reason === null) {
      live.push([claim, entry])
    } else {
      why.set(entry.runner, reason)
      dead.push({ claim, runner: entry.runner })
    }
  }
  // Dead runners without claims go too: a runner killed between two claims leaves no lease behind.
  for (const record of runners) {
    if (record.ref === self || why.has(record.ref)) continue
    const reason = liveness.deadBecause(record)
    if (reason !== null) why.set(record.ref, reason)
  }
  const deadRunners = runners.filter(record => why.has(record.ref))
  return { dead, deadRunners, why, live }
}

/**
 * Pure: which requests can be granted, given the live claims and how many live runners share the work (this one
 * included). Alone, a runner takes all it may. With others it takes its share of the free items, free / runners
 * (at least `MIN_SHARE`), and leaves the rest to whoever claims next, itself included once its share is done:
 * guided self-scheduling, so a runner that fetched first does not take a whole push while the others idle, and
 * claims shrink as the work runs out.
 */
export function planClaim(judged: Pick<JudgedClaims, 'live'>, self: string, requests: ClaimRequest[], sharing = 1) {
  const owner = new Map<string, string>()
  const groupHolders = new Map<string, Set<string>>()
  for (const [, claim] of judged.live) {
    for (const item of claim.items) owner.set(item, claim.runner)
    for (const group of claim.groups) groupHolders.set(group, (groupHolders.get(group) ?? new Set()).add(claim.runner))
  }
  const free = requests.filter(request => !owner.has(request.item)).length
  const share = sharing > 1 ? Math.max(MIN_SHARE, Math.ceil(free / sharing)) : Infinity
  const granted: string[] = []
  const groups = new Set<string>()
  const held = new Map<string, string>()
  for (const request of requests) {
    const holder = owner.get(request.item)
    if (holder !== undefined) {
      if (holder !== self) held.set(request.item, holder)
      continue
    }
    const busy = (request.groups ?? []).find((group) => {
      const others = [...(groupHolders.get(group.name) ?? [])].filter(runner => runner !== self)
      return !groupHolders.get(group.name)?.has(self) && others.length >= group.max
    })
    if (busy) {
      held.set(request.item, [...groupHolders.get(busy.name)!].find(runner => runner !== self)!)
      continue
    }
    if (granted.length >= share) continue
    granted.push(request.item)
    owner.set(request.item, self)
    for (const group of request.groups ?? []) {
      groups.add(group.name)
      groupHolders.set(group.name, (groupHolders.get(group.name) ?? new Set()).add(self))
    }
  }
  return { granted, groups: [...groups], held }
}

/** The compare-and-swap that moves the ledger from `id` to `ledger` (deleting the ref once nothing is claimed). */
async function ledgerOp(cwd: string, id: string | null, ledger: ClaimsLedger): Promise<RefTxOp> {
  if (Object.keys(ledger.claims).length === 0) return id ? { ref: CLAIMS_REF, oldValue: id, newValue: null } : { ref: CLAIMS_REF, verify: null }
  const [blob] = await writeBlobs(cwd, [`${JSON.stringify({ ...ledger, w: randomBytes(6).toString('hex') })}\n`])
  return { ref: CLAIMS_REF, oldValue: id, newValue: blob! }
}

function emptyLedger(): ClaimsLedger {
  return { v: 1, claims: {} }
}
