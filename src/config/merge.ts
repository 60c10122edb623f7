import { createDefu } from 'defu'

/**
 * defu, except that an array replaces the lower-priority one instead of being concatenated with it:
 * `env: ['PATH']` in a config means exactly PATH, not PATH plus the defaults.
 */
export const mergeConfig = createDefu((target, key, value) => {
  if (Array.isArray(value)) {
    ;(target as Record<PropertyKey, unknown>)[key] = value
    return true
  }
})
