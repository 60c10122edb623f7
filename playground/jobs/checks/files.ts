export default defineJob({
  meta: { desc: 'Count tracked files with git ls-files (a cli step)', tags: ['checks'] },
  on: { commit: { paths: ['src/**'] } },
  steps: [
    { exec: 'cli', cmd: 'git', args: ['ls-files', '--', 'src'], name: 'ls-files' },
  ],
})
