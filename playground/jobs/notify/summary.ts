export default defineJob({
  meta: { desc: 'Notify the last commit\'s subject through useNotify() (from gitvan-plugin-notify)', tags: ['notify'] },
  async run() {
    const [last] = await useGit().commits(undefined, { limit: 1, files: false })
    return useNotify().send(`${last?.subject ?? 'no commits yet'} (${useGit().head?.slice(0, 7) ?? 'unborn'})`)
  },
})
