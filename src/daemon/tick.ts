import { git } from '../git/command'
import type { TickSummary } from '../types/daemon'
import { reportProgress, windowCommits } from './backlog'
import { dispatch, readProgress } from './dispatch'
import { scheduleHousekeeping } from './housekeeping'
import { planLine, plannedItems, unmovedLine } from './line-work'
import { historyLines } from './lines'
import { branchItems, itemId, tagItems } from './plan'
import type { ItemProgress } from './progress'
import { itemStatus, retryAt } from './progress'
import { isSettled, settle } from './settle'
import type { RepoSnapshot } from './snapshot'
import { readState, updateState } from './state'
import type { DaemonState } from './state'
import type { DaemonCore, WorkItem } from './types'

/**
 * One pass over the repository: read the refs and the state, plan each line's window and the tag and branch
 * runs, queue what is due (claimed, see `dispatch`), then settle what is done.
 */
export async function tick(core: DaemonCore): Promise<TickSummary> {
  const { app, refs, lines, localHeads, settled, inFlight, held, config } = core
  const at = new Date()
  const { state: stored } = await readState(refs)
  const snapshot = await core.snapshots.read(stored ?? undefined)
  const state = stored ?? await firstState(core, snapshot)
  const problem = (message: string) => core.warnOnce(message, message)
  for (const [tag, type] of snapshot.otherTags) {
    if (!state.tags.includes(tag)) core.warnOnce(`tag:${tag}`, `tag ${tag} points at a ${type}, not a commit: on.tag jobs skip it (point it at a commit to run them)`)
  }

  const seenLines = historyLines(snapshot, core.self, config.worktrees)
  const knownTips = stored ? seenLines.filter(line => line.name in state.heads).map(line => line.tip) : null
  const candidates: WorkItem[] = []
  for (const line of seenLines) {
    const known = lines.get(line.name)
    const base = localHeads.get(line.name)?.to ?? state.heads[line.name] ?? null
    if (unmovedLine(line, known, base)) {
      known.line = line
      continue
    }
    const work = await planLine(line, known, {
      cwd: core.cwd, jobs: core.jobs.jobs, base, others: line.name in state.heads || localHeads.has(line.name) ? null : knownTips, lookback: config.lookback, window: windowCommits(core), isSettled: item => isSettled(core, item), onProblem: problem,
    })
    lines.set(line.name, work)
    candidates.push(...plannedItems(work))
  }
  const seenNames = new Set(seenLines.map(line => line.name))
  for (const name of lines.keys()) if (!seenNames.has(name)) lines.delete(name)
  const tagWork = tagItems(core.jobs.jobs, snapshot, state, core.self, problem)
  const branchWork = branchItems(core.jobs.jobs, seenLines, state, snapshot.times, problem)
  if (core.retryPass) candidates.push(...await failedItems(core, seenLines, state))

  const open = dedupe([...candidates, ...tagWork, ...branchWork]).filter(item => !settled.has(itemId(item)) && !inFlight.has(itemId(item)))
  const read = open.length > 0 ? await readProgress(core, open) : { progress: new Map<string, ItemProgress>(), tip: null }
  const { progress } = read
  const now = Date.now()
  const todo: WorkItem[] = []
  let waiting = 0
  let wakeAt = Infinity
  for (const item of open) {
    const status = itemStatus(item, progress, now)
    if (status === 'failed' && core.retryOnce.has(itemId(item))) todo.push(item)
    else if (status === 'done' || status === 'failed') settled.add(itemId(item))
    else if (status === 'waiting') {
      waiting++
      wakeAt = Math.min(wakeAt, retryAt(item, progress))
    } else todo.push(item)
  }
  core.scheduleRetryTick(wakeAt)
  held.clear()
  const queued = todo.length > 0 && !core.stopping && !core.finalSettle ? await dispatch(core, todo, read) : 0
  await settle(core, snapshot, state, tagWork, branchWork)
  reportProgress(core)
  scheduleHousekeeping(core)
  await app.callHook('daemon:tick', { at, queued, running: core.queue.running() })
  return { queued, held: held.size, waiting }
}

/** A first start: tags and branches that exist are history, not news. */
async function firstState(core: DaemonCore, snapshot: RepoSnapshot): Promise<DaemonState> {
  const { branchesPrefix } = core
  // Branches whose tip is already in a checked-out line have nothing of their own to run: they start settled, so
  // a repository with thousands of branches costs one `for-each-ref --merged` on a first start, not a walk each.
  const served = historyLines(snapshot, core.self, core.config.worktrees).filter(line => line.checkedOut)
  const merged = new Map<string, string>()
  for (const line of served) {
    const names = await git(['for-each-ref', '--format=%(refname)', `--merged=${line.tip}`, branchesPrefix], { cwd: core.cwd })
    for (const ref of names.split('\n').filter(Boolean)) {
      const branch = ref.slice(branchesPrefix.length)
      if (snapshot.branches.has(branch) && !served.some(other => other.branch === branch)) merged.set(branch, snapshot.branches.get(branch)!)
    }
  }
  return updateState(core.refs, state => ({
    ...state,
    heads: { ...Object.fromEntries(merged), ...state.heads },
    tags: [...snapshot.tags.keys(), ...snapshot.otherTags.keys()].sort(),
    branches: [...snapshot.branches.keys()].sort(),
  }))
}

/** `--retry-failed`: the items of each line's last `lookback` settled commits whose last receipt failed. */
async function failedItems(core: DaemonCore, seenLines: ReturnType<typeof historyLines>, state: DaemonState): Promise<WorkItem[]> {
  const { lookback } = core.config
  core.retryPass = false
  const found: WorkItem[] = []
  for (const line of seenLines) {
    const base = state.heads[line.name]
    if (!base) continue
    const work = await planLine({ ...line, tip: base }, undefined, { cwd: core.cwd, jobs: core.jobs.jobs, base: null, others: null, lookback, window: lookback, isSettled: () => false, onProblem: () => {} })
    found.push(...plannedItems(work))
  }
  const { progress } = await readProgress(core, found)
  const failed = found.filter(item => itemStatus(item, progress, Date.now()) === 'failed')
  for (const item of failed) core.retryOnce.add(itemId(item))
  return failed
}

function dedupe(items: WorkItem[]): WorkItem[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const id = itemId(item)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}
