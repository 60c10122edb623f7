import { defineGitVanConfig } from 'gitvan'

export default defineGitVanConfig({
  jobs: { timeout: 60_000 },
  daemon: { lookback: 20, concurrency: 2 },
  env: ['PATH', 'HOME', 'LANG'],
  // An npm package (packages/gitvan-plugin-notify, linked into node_modules); plugins/ files install by themselves.
  plugins: ['gitvan-plugin-notify'],
  // The notify plugin's options (its `configKey`).
  notify: { file: '.gitvan/notifications.log', prefix: '[playground]' },
})
