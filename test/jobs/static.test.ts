import { describe, expect, it } from 'vitest'
import { readStaticJobInfo } from '../../src/jobs/static'

describe('readStaticJobInfo', () => {
  it('reads kind, meta and on from literals, through TypeScript wrappers', () => {
    const source = `
      const helper = () => 1
      export default defineJob({
        meta: { desc: \`Changelog\`, tags: ['docs'], schedule: '0 3 * * *' } as const,
        on: { commit: { branches: ['main'], paths: ['src/**'] }, tag: 'v*' } satisfies object,
        async run() { return helper() },
      })`
    expect(readStaticJobInfo(source, 'jobs/a.ts')).toEqual({
      meta: { desc: 'Changelog', tags: ['docs'], schedule: '0 3 * * *' },
      on: { commit: { branches: ['main'], paths: ['src/**'] }, tag: 'v*' },
      has: { run: true },
    })
  })

  it('reads literal steps, says whether there is a run, and the kind only as written', () => {
    expect(readStaticJobInfo("export default defineJob({ steps: [{ exec: 'cli', cmd: 'echo', args: ['a'] }] })", 'a.ts')).toEqual({ steps: [{ exec: 'cli', cmd: 'echo', args: ['a'] }], has: { run: false } })
    expect(readStaticJobInfo("export default defineJob({ kind: 'composite', run() {} })", 'a.ts')).toEqual({ kind: 'composite', has: { run: true } })
  })

  it.each([
    'export default defineJob({ meta: { desc: name } })',
    'export default defineJob({ meta: { desc: `v${1}` } })',
    'export default defineJob({ ...base })',
    "export default defineJob({ steps: [{ exec: 'cli', cmd: process.execPath }] })",
    'export default defineJob({ ["meta"]: {} })',
    'const job = defineJob({}); export default job',
    'export default { run() {} }',
  ])('returns null when a value needs running the file: %s', (source) => {
    expect(readStaticJobInfo(source, 'a.ts')).toBeNull()
  })

  it('reports a syntax error with file:line:col', () => {
    expect(() => readStaticJobInfo('export default defineJob({\n  meta: { desc: "x" ,, }\n})', 'jobs/bad.ts')).toThrow(/^jobs\/bad\.ts:2:\d+: /)
  })
})
