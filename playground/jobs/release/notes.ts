export default defineJob({
  meta: { desc: 'Changelog, then a release summary (a composite job)', tags: ['release'] },
  on: { tag: 'v*' },
  steps: [
    { exec: 'job', job: 'docs:changelog', name: 'changelog' },
    { exec: 'tmpl', template: 'changelog.njk', data: { sections: [{ title: 'Summary', items: ['See CHANGELOG.md'] }] }, out: 'RELEASE.md', name: 'summary' },
  ],
})
