export default defineJob({
  meta: { desc: 'Say which commit and branch GitVan runs on', schedule: '0 9 * * 1-5' },
  run({ ctx, trigger }) {
    const { head, branch } = useGit()
    const at = ctx.now().toISOString()
    return { ok: true, stdout: `hello from ${branch} at ${head?.slice(0, 7)} (${trigger.type}, ${at})` }
  },
})
