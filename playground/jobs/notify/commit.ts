export default defineJob({
  meta: { desc: 'Announce the commit with the notify plugin: its exec type, then its composable', tags: ['notify'] },
  on: { commit: { branches: ['main'] } },
  steps: [
    { exec: 'notify', message: 'a new commit landed on main', name: 'exec type' },
    { exec: 'job', job: 'notify:summary', name: 'composable' },
  ],
})
