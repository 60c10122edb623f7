import { lazyRequire } from './lazy-require'

/**
 * croner through its CommonJS entry, loaded on first use: a job with `meta.schedule`, the daemon's timers and the
 * page's next slots need it, a command that reads other jobs never loads it.
 */
export const loadCroner = lazyRequire<typeof import('croner')>('croner')
