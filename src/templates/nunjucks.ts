import { lazyRequire } from '../utils/lazy-require'

/** nunjucks, loaded when the first template environment is made (it is a large CommonJS package). */
export const loadNunjucks = lazyRequire<typeof import('nunjucks')>('nunjucks')
