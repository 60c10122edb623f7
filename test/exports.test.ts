import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'pathe'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { projectRoot } from './utils/cli'

/**
 * The public surface, pinned: a change to what `gitvan` or `gitvan/kit` exports shows up as a diff here. Names come
 * from the TypeScript checker, so types count as much as values.
 */
const SURFACE = {
  'gitvan': {
    values: ['defineGitVanConfig', 'defineJob', 'tryUseGitVan', 'useExec', 'useGit', 'useGitVan', 'useJob', 'useLLM', 'useTemplate', 'withGitVan'],
    types: [
      'ChangedPath', 'CheckoutMode', 'CliExecSpec', 'CommitFilter', 'CommitInfo', 'ConcurrencyPolicy', 'DaemonConfig', 'ExecResult', 'ExecSpec', 'ExecSpecs',
      'GitVanConfig', 'GitVanContext', 'GitVanHooks', 'GitVanJobs', 'Globs', 'JSONSchema', 'Job', 'JobDefinition',
      'JobEvent', 'JobExecSpec', 'JobId', 'JobKind', 'JobMeta', 'JobRunReturn', 'JobStep', 'JobTrigger', 'JobTriggers', 'JsExecSpec',
      'LLMCallOptions', 'LLMJSONResponse', 'LLMMessage', 'LLMOptions', 'LLMResponse', 'LLMRole', 'LLMUsage', 'LLMUseOptions',
      'LlmExecSpec', 'NameFilter', 'PathFilter', 'RenderedFile', 'RepoInfo', 'ResolvedGitVanConfig', 'RetryPolicy', 'RunLogCollector', 'RunLogStream', 'RunTarget',
      'StepResults', 'TemplateData', 'TemplateEnv', 'TmplExecSpec', 'UseExec', 'UseGit', 'UseJob',
    ],
  },
  'gitvan/kit': {
    values: [
      'ClaimError', 'ConfigError', 'DuplicateJobError', 'ExecTypeError', 'GitError', 'JobDefinitionError', 'JobLoadError', 'JobSyntaxError',
      'LLMError', 'LLM_CACHE_REF', 'LeaseError', 'PathEscapeError', 'PluginError', 'RunCancelled', 'RunSkipped', 'TemplateError',
      'UnknownJobError', 'configDefaults', 'createDaemon', 'createGitVan', 'createGitVanContext', 'createLLMClient',
      'createLLMRegistry', 'createTemplateEnv', 'defineGitVanPlugin', 'llmDefaults', 'loadGitVanConfig', 'ollamaProvider',
      'openaiProvider', 'resolveInside', 'resolveRepo', 'runExec', 'startDevSession',
    ],
    types: [
      'CreateContextOptions', 'Daemon', 'DaemonCloseInfo', 'DaemonEvent', 'DaemonOptions', 'DaemonStartInfo', 'DaemonTickInfo',
      'DevEvent', 'DevReloadInfo', 'DevSession', 'DevSessionOptions', 'ExecHandler', 'ExecHandlerContext', 'ExecSpecBase',
      'GitVanApp', 'GitVanImport', 'GitVanPlugin', 'GitVanPluginEntry', 'GitVanPluginMeta', 'InstalledGitVanPlugin',
      'JobFile', 'JobRun', 'LLMChatRequest', 'LLMClient', 'LLMClientDeps', 'LLMConfig', 'LLMErrorCode', 'LLMErrorInit',
      'LLMGenerateInput', 'LLMGenerateRequest', 'LLMProvider', 'LLMProviderContext', 'LLMRegistry', 'LLMRetryInfo',
      'LoadConfigOptions', 'LoadedConfig', 'Receipt', 'ReceiptStatus', 'RunExecOptions', 'RunJobOptions', 'RunLog', 'RunLogEntry',
      'TemplateEnvOptions', 'TemplateErrorDetails', 'TickSummary',
    ],
  },
}

const ENTRIES = { 'gitvan': 'src/index.ts', 'gitvan/kit': 'src/kit.ts' } as const

/** Every name an entry exports, as the type checker sees it, split into values and types only. */
function exportedNames(): Record<keyof typeof ENTRIES, { values: string[]; types: string[] }> {
  const files = Object.values(ENTRIES).map(file => join(projectRoot, file))
  const program = ts.createProgram(files, { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, types: ['node'], skipLibCheck: true, noEmit: true })
  const checker = program.getTypeChecker()
  const names = (file: string) => {
    const symbols = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)
    const isValue = (symbol: ts.Symbol) => Boolean(checker.getAliasedSymbol(symbol).flags & ts.SymbolFlags.Value)
    return {
      values: symbols.filter(isValue).map(symbol => symbol.name).sort(),
      types: symbols.filter(symbol => !isValue(symbol)).map(symbol => symbol.name).sort(),
    }
  }
  return { 'gitvan': names(files[0]!), 'gitvan/kit': names(files[1]!) }
}

describe('public surface', () => {
  it('pins the names `gitvan` and `gitvan/kit` export, each name in one entry', () => {
    const exported = exportedNames()
    const sorted = (list: string[]) => [...list].sort()
    expect(exported['gitvan']).toEqual({ values: sorted(SURFACE['gitvan'].values), types: sorted(SURFACE['gitvan'].types) })
    expect(exported['gitvan/kit']).toEqual({ values: sorted(SURFACE['gitvan/kit'].values), types: sorted(SURFACE['gitvan/kit'].types) })
    const both = Object.values(exported['gitvan']).flat().filter(name => Object.values(exported['gitvan/kit']).flat().includes(name))
    expect(both).toEqual([])
  })

  it('exports the values it declares at run time', async () => {
    expect(Object.keys(await import('../src/index')).sort()).toEqual([...SURFACE['gitvan'].values].sort())
    expect(Object.keys(await import('../src/kit')).sort()).toEqual([...SURFACE['gitvan/kit'].values].sort())
  })

  it('exports every error class of src/ from gitvan/kit', () => {
    const sources = readdirSync(join(projectRoot, 'src'), { recursive: true, encoding: 'utf8' }).filter(file => file.endsWith('.ts'))
    const errors = sources.flatMap(file => [...readFileSync(join(projectRoot, 'src', file), 'utf8').matchAll(/^export class (\w+) extends Error\b/gm)].map(match => match[1]!))
    expect(errors.length).toBeGreaterThan(10)
    expect(errors.filter(name => !SURFACE['gitvan/kit'].values.includes(name))).toEqual([])
  })
})
