import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { part } from './utils'

// Every `bench/*.bench.ts` exports a default async function that prints its own figures. `npm run bench cli` runs
// the files whose name contains `cli`; a bench that fails is reported, and the others still run.
const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv[2]
for (const file of readdirSync(dir).filter(name => name.endsWith('.bench.ts')).sort()) {
  if (only && !file.includes(only)) continue
  const name = file.replace('.bench.ts', '')
  console.log(`\n# ${name}`)
  await part(name, async () => (await import(`./${file}`)).default())
}
