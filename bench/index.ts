import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// Every `bench/*.bench.ts` exports a default async function that prints its own figures.
const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv[2]
for (const file of readdirSync(dir).filter(name => name.endsWith('.bench.ts')).sort()) {
  if (only && !file.includes(only)) continue
  const { default: run } = await import(`./${file}`)
  console.log(`\n# ${file.replace('.bench.ts', '')}`)
  await run()
}
