import { defineGitVanConfig } from 'gitvan'

export default defineGitVanConfig({
  jobs: { timeout: 60_000 },
  daemon: { lookback: 20, concurrency: 2 },
  env: ['PATH', 'HOME', 'LANG'],
})
