import { defineGitVanConfig } from 'gitvan'

export default defineGitVanConfig({
  jobs: { timeout: 60_000 },
  daemon: { lookback: 20, concurrency: 2 },
  env: ['PATH', 'HOME', 'LANG'],
  // A local Ollama model; jobs/ai/summary.ts says so and skips when no model server is running.
  llm: { provider: 'ollama', model: 'llama3.2', timeout: 20_000, maxRetries: 0, cache: true },
  // An npm package (packages/gitvan-plugin-notify, linked into node_modules); plugins/ files install by themselves.
  plugins: ['gitvan-plugin-notify'],
  // The notify plugin's options (its `configKey`).
  notify: { file: '.gitvan/notifications.log', prefix: '[playground]' },
})
