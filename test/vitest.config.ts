import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A test file mostly waits on the git, daemon and server processes it starts: one file per core, not vitest's
    // default of one fewer (a single file at a time on a 2-core machine; 339 s instead of ~500 s for the suite).
    maxWorkers: Math.max(2, availableParallelism()),
  },
})
