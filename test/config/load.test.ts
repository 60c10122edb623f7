import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'pathe'
import { describe, expect, it } from 'vitest'
import { configDefaults, loadGitVanConfig } from '../../src/config'
import { createRepo } from '../utils/repo'

describe('loadGitVanConfig', () => {
  it('defaults when there is no config', async () => {
    const cwd = createRepo()
    const { config, configFile, unknownKeys } = await loadGitVanConfig({ cwd })
    expect(configFile).toBeUndefined()
    expect(config).toMatchObject({ ...configDefaults, rootDir: cwd })
    expect(unknownKeys).toEqual([])
  })

  it('reads gitvan.config.ts importing from gitvan; arrays replace defaults, objects merge', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.ts'), `import { defineGitVanConfig } from 'gitvan'\nexport default defineGitVanConfig({ env: ['PATH'], daemon: { lookback: 5 }, myPlugin: { a: 1 } })\n`)
    const { config, configFile, unknownKeys } = await loadGitVanConfig({ cwd })
    expect(configFile).toBe(join(cwd, 'gitvan.config.ts'))
    expect(config.env).toEqual(['PATH'])
    expect(config.daemon).toEqual({ ...configDefaults.daemon, lookback: 5 })
    expect(unknownKeys).toEqual(['myPlugin'])
  })

  it('reports unknown keys inside GitVan\'s own sections as key paths', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.mjs'), 'export default { daemon: { lokback: 3 }, jobs: { timout: 5 }, hooks: { "job:after": () => {} } }\n')
    expect((await loadGitVanConfig({ cwd })).unknownKeys).toEqual(['jobs.timout', 'daemon.lokback'])
  })

  it('an explicit config file that does not exist is an error, not the defaults', async () => {
    const cwd = createRepo()
    await expect(loadGitVanConfig({ cwd, configFile: 'missing.config.ts' })).rejects.toThrow(`Config file missing.config.ts not found in ${cwd}`)
  })

  it('priority: overrides > config file > .gitvanrc > package.json', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ gitvan: { jobsDir: 'pkg', templatesDir: 'pkg-t', daemon: { lookback: 1 } } }))
    writeFileSync(join(cwd, '.gitvanrc'), 'jobsDir=rc\ntemplatesDir=rc-t\n')
    writeFileSync(join(cwd, 'gitvan.config.mjs'), 'export default { jobsDir: "file" }\n')
    const { config } = await loadGitVanConfig({ cwd, overrides: { daemon: { concurrency: 9 } } })
    expect([config.jobsDir, config.templatesDir, config.daemon.lookback, config.daemon.concurrency]).toEqual(['file', 'rc-t', 1, 9])
  })

  it('a lone config file (read without c12) and one with c12 features give what c12 gives; the file runs once', async () => {
    // Each config file counts its evaluations.
    const project = (body: string) => {
      const cwd = createRepo()
      writeFileSync(join(cwd, 'gitvan.config.mjs'), `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(join(cwd, 'evaluated.log'))}, 'x')\nexport default ${body}\n`)
      return cwd
    }
    const env = process.env.NODE_ENV
    process.env.NODE_ENV = 'staging'
    try {
      const lone = project('() => ({ jobsDir: "fn", daemon: { concurrency: 2 } })')
      const plain = (await loadGitVanConfig({ cwd: lone, overrides: { daemon: { concurrency: 9 } } })).config
      expect([plain.jobsDir, plain.daemon.concurrency, plain.daemon.lookback]).toEqual(['fn', 9, configDefaults.daemon.lookback])
      expect(readFileSync(join(lone, 'evaluated.log'), 'utf8')).toBe('x')

      const layered = project('{ extends: "./base.config.mjs", jobsDir: "ext", $staging: { jobsDir: "staged" }, $meta: { name: "x" } }')
      writeFileSync(join(layered, 'base.config.mjs'), 'export default { templatesDir: "base-t", daemon: { lookback: 3 } }\n')
      const extended = (await loadGitVanConfig({ cwd: layered })).config as Record<string, unknown> & typeof plain
      expect([extended.jobsDir, extended.templatesDir, extended.daemon.lookback, extended.extends, extended.$meta]).toEqual(['staged', 'base-t', 3, undefined, undefined])
      // c12 finished what was read without it: the file was not evaluated a second time.
      expect(readFileSync(join(layered, 'evaluated.log'), 'utf8')).toBe('x')
    } finally {
      process.env.NODE_ENV = env
    }
  })

  it.each([
    ['{ daemon: { lookback: 0 } }', '`daemon.lookback` must be an integer >= 1, got 0'],
    ['{ daemon: { worktrees: "some" } }', '`daemon.worktrees` must be "current" or "all", got "some"'],
    ['{ env: "PATH" }', '`env` must be an array of strings, got "PATH"'],
    ['{ receipts: { ref: "refs/heads/x" } }', '`receipts.ref` must be a notes ref'],
    ['{ jobsDir: 3 }', '`jobsDir` must be a non-empty string, got 3'],
    ['{ logs: { maxBytes: -1 } }', '`logs.maxBytes` must be an integer >= 0, got -1'],
    ['{ logs: { secrets: "NPM_TOKEN" } }', '`logs.secrets` must be an array of strings, got "NPM_TOKEN"'],
    ['{ jobs: { isolation: "thread" } }', '`jobs.isolation` must be "worker" or "none", got "thread"'],
    ['{ jobs: { memoryLimit: 8 } }', '`jobs.memoryLimit` must be an integer >= 16, got 8'],
  ])('refuses %s with the key path', async (body, message) => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.mjs'), `export default ${body}\n`)
    await expect(loadGitVanConfig({ cwd })).rejects.toThrow(message)
  })

  it('checks the llm section with the LLM client\'s own rules, never echoing what may be a key', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.mjs'), 'export default { llm: { apiKeyEnv: "sk-live-abc123", cache: "yes" } }\n')
    const error: Error = await loadGitVanConfig({ cwd }).then(() => new Error('loaded'), error_ => error_ as Error)
    expect(error.message).toBe(`Invalid config in ${join(cwd, 'gitvan.config.mjs')}: \`llm.apiKeyEnv\` must be the name of an environment variable (like OPENAI_API_KEY), not the key itself`)
    const other = createRepo()
    writeFileSync(join(other, 'gitvan.config.mjs'), 'export default { llm: { timeout: 1e12 } }\n')
    await expect(loadGitVanConfig({ cwd: other })).rejects.toThrow('`llm.timeout` must be a number of milliseconds from 1 to 2147483647, got 1000000000000')
  })

  it('a config with a syntax error is one line naming the file, line and column', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.ts'), 'export default {\n  daemon: {\n    lookback: 5,,\n  },\n}\n')
    const error: Error = await loadGitVanConfig({ cwd }).then(() => new Error('loaded'), error_ => error_ as Error)
    expect(error.message).toBe(`Cannot load ${join(cwd, 'gitvan.config.ts')}:3:16: ParseError: Unexpected token`)
  })

  it('an error the config throws names its line', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.mjs'), 'const base = {}\n\nexport default { daemon: { lookback: base.daemon.lookback } }\n')
    await expect(loadGitVanConfig({ cwd })).rejects.toThrow(new RegExp(`^Cannot load ${join(cwd, 'gitvan.config.mjs')}:3: Cannot read properties of undefined \\(reading 'lookback'\\)$`))
  })

  it('a wrong value names the file that sets it: .gitvanrc or package.json, not the config file', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, 'gitvan.config.mjs'), 'export default { jobsDir: "jobs" }\n')
    writeFileSync(join(cwd, '.gitvanrc'), '# local settings\n\ndaemon.lookback=abc\ndaemon.lokback=5\n')
    await expect(loadGitVanConfig({ cwd })).rejects.toThrow(`Invalid config in ${join(cwd, '.gitvanrc')}: \`daemon.lookback\` must be an integer >= 1, got "abc"`)
    writeFileSync(join(cwd, '.gitvanrc'), 'daemon.lokback=5\n')
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ gitvan: { daemon: { grace: -1 } } }))
    await expect(loadGitVanConfig({ cwd })).rejects.toThrow(`Invalid config in ${join(cwd, 'package.json')}: \`daemon.grace\` must be an integer >= 0, got -1`)
    writeFileSync(join(cwd, 'package.json'), '{}')
    const { unknownKeys, sourceOf } = await loadGitVanConfig({ cwd })
    expect(unknownKeys.map(key => [key, sourceOf(key)])).toEqual([['daemon.lokback', join(cwd, '.gitvanrc')]])
    expect(sourceOf('jobsDir')).toBe(join(cwd, 'gitvan.config.mjs'))
  })

  it('a .gitvanrc line that is not key=value is an error naming the file and line, not skipped', async () => {
    const cwd = createRepo()
    writeFileSync(join(cwd, '.gitvanrc'), 'daemon.lookback=5\ndaemon.grace: 3000\n')
    await expect(loadGitVanConfig({ cwd })).rejects.toThrow(`Invalid config in ${join(cwd, '.gitvanrc')}:2: "daemon.grace: 3000" is not a key=value line (e.g. daemon.lookback=5; # starts a comment)`)
  })
})
