import { defineGitVanConfig } from './src/config/define'

// This repository runs its own playground: `npm run gitvan -- list` lists the playground's jobs.
export default defineGitVanConfig({
  extends: ['./playground'],
  jobsDir: 'playground/jobs',
  templatesDir: 'playground/templates',
  importsDirs: ['playground/composables', 'playground/utils'],
  pluginsDir: 'playground/plugins',
})
