import { createRequire } from 'node:module'
import { join } from 'pathe'
import { gitvanPackage } from '../../utils/self'

/** How a `Worker` starts a job worker: a file, or (`eval`) a line of code. */
export interface JobWorkerEntry {
  code: string
  eval: boolean
}

/**
 * The built GitVan starts `dist/daemon/pool/worker.mjs`; GitVan run from source (tests, `npm run gitvan`) starts
 * `src/daemon/pool/worker.ts` through jiti, as its own CLI was started.
 */
export function jobWorkerEntry(): JobWorkerEntry {
  const { root, entries } = gitvanPackage()
  if (!entries.gitvan.endsWith('.ts')) return { code: join(root, 'dist/daemon/pool/worker.mjs'), eval: false }
  const worker = join(root, 'src/daemon/pool/worker.ts')
  const jiti = createRequire(import.meta.url).resolve('jiti')
  return { code: `require(${JSON.stringify(jiti)}).createJiti(${JSON.stringify(worker)}).import(${JSON.stringify(worker)})`, eval: true }
}
