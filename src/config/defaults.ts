import { llmDefaults } from '../llm/defaults'
import type { ResolvedGitVanConfig } from '../types/config'

/** Every config key's default, in one place (docs/config.md mirrors it); the `llm` section's are the LLM client's own. */
export const configDefaults: Omit<ResolvedGitVanConfig, 'rootDir'> = {
  jobsDir: 'jobs',
  templatesDir: 'templates',
  importsDirs: ['composables', 'utils'],
  pluginsDir: 'plugins',
  jobs: {
    timeout: 300_000,
    maxDepth: 8,
    isolation: 'worker',
    memoryLimit: 512,
  },
  templates: {
    autoescape: false,
  },
  daemon: {
    lookback: 50,
    concurrency: 4,
    pollInterval: 2000,
    worktrees: 'current',
    grace: 10_000,
    housekeeping: true,
  },
  locks: {
    ttl: 30_000,
  },
  remote: false,
  receipts: {
    ref: 'refs/notes/gitvan/results',
  },
  logs: {
    maxBytes: 1024 * 1024,
    secrets: [],
  },
  env: ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'SHELL', 'TERM', 'CI', 'NODE_OPTIONS'],
  plugins: [],
  hooks: {},
  llm: {
    ...llmDefaults,
    cache: false,
  },
}
