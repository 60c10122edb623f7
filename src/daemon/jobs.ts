import type { GitVanApp } from '../types/app'
import { compileTriggers } from './triggers'
import type { DaemonJob } from './types'

export interface LoadedJobs {
  jobs: DaemonJob[]
  /** Job files that could not be loaded: `file:line:col: message`, by job id. */
  broken: Map<string, string>
}

/** Load every job once. A broken file is reported and left out; the other jobs go on. */
export async function loadDaemonJobs(app: GitVanApp): Promise<LoadedJobs> {
  const jobs: DaemonJob[] = []
  const broken = new Map<string, string>()
  for (const file of await app.scanJobs()) {
    try {
      const job = await app.loadJob(file.id)
      jobs.push({ id: file.id, job, triggers: compileTriggers(job.on) })
    } catch (error) {
      broken.set(file.id, (error as Error).message)
    }
  }
  return { jobs, broken }
}
