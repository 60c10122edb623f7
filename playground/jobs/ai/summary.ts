export default defineJob({
  meta: { desc: 'Summarize the last commit with a local model; skips with the reason when no model server runs', tags: ['ai'] },
  on: { commit: { branches: ['main'] } },
  async run() {
    const [commit] = await useGit().commits(undefined, { limit: 1, files: false })
    try {
      // The commit message is untrusted input for the model: its answer is only printed, never run or used as a path.
      const answer = await useLLM({ cache: true }).generate(`Summarize this commit in one line:\n\n${commit!.subject}\n\n${commit!.body}`)
      return { ok: true, stdout: answer.text, meta: { cached: answer.cached } }
    } catch (error) {
      const { code, message } = error as { code?: string; message: string }
      if (code !== 'unreachable' && code !== 'model-not-found') throw error
      // Nothing to summarize with: the run ends `skipped`, with the reason in its receipt.
      return useJob().skip(`no model: ${message}`)
    }
  },
})
