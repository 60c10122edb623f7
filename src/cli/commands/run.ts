import { defineCommand } from 'citty'
import { commonArgs, loadApp } from '../shared'

export default defineCommand({
  meta: { name: 'run', description: 'Run a job now on HEAD and write its receipt' },
  args: {
    id: { type: 'positional', description: 'Job id, e.g. docs:changelog', required: true },
    payload: { type: 'string', description: 'JSON payload passed to the job', valueHint: 'json' },
    json: { type: 'boolean', description: 'Print the result and receipt as JSON' },
    ...commonArgs,
  },
  async run({ args }) {
    const payload = parsePayload(args.payload)
    const app = await loadApp(args)
    try {
      const { result, receipt } = await app.runJob(args.id, { payload, trigger: { type: 'manual' } })
      if (args.json) {
        console.log(JSON.stringify({ id: args.id, result, receipt: receipt ?? null }, null, 2))
      } else {
        if (result.stdout) process.stdout.write(result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`)
        if (result.stderr) process.stderr.write(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`)
        const status = result.ok ? 'ok' : `failed: ${result.error ?? 'no reason given'}`
        const where = receipt ? `receipt on ${receipt.sha.slice(0, 7)} (${app.options.receipts.ref})` : 'no receipt: the repository has no commit yet'
        console.log(`${args.id} ${status} in ${result.durationMs} ms${result.artifact ? `, wrote ${result.artifact}` : ''}; ${where}`)
      }
      if (!result.ok) process.exitCode = 1
    } finally {
      await app.close()
    }
  },
})

function parsePayload(raw: string | undefined): unknown {
  if (raw === undefined) return undefined
  try {
    return JSON.parse(raw)
  } catch (error) {
    throw new Error(`--payload is not valid JSON (${(error as Error).message}): pass e.g. --payload '{"version":"1.2.0"}'`)
  }
}
