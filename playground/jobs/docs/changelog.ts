export default defineJob({
  meta: { desc: 'Write CHANGELOG.md from the last commits', tags: ['docs'] },
  on: { commit: { branches: ['main'], message: '^(feat|fix)' } },
  async run() {
    const git = useGit()
    const commits = await git.commits(undefined, { limit: 50, files: false })
    const sections = useReleaseSections(commits.map(commit => commit.subject))
    const file = await useTemplate().renderToFile('changelog.njk', 'CHANGELOG.md', { sections })
    return { ok: true, artifact: file.path, meta: { commits: commits.length } }
  },
})
