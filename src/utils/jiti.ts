import { lazyRequire } from './lazy-require'

/**
 * jiti through its CommonJS entry. Imported from ESM, its 190 kB bundle is first scanned by Node for its named
 * exports, which costs more than loading it: every command that reads a config or a job would pay for that.
 */
export const loadJiti = lazyRequire<typeof import('jiti')>('jiti')
