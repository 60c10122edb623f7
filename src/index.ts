/**
 * `gitvan`: what job authors and the config use. Jobs get these without import lines; `gitvan.config.ts` imports
 * `defineGitVanConfig`. Plugins and programs that drive GitVan import from `gitvan/kit`. The interfaces below
 * that say so are the ones to extend by declaration merging: `declare module 'gitvan' { interface ExecSpecs { ... } }`.
 */
export { defineGitVanConfig } from './config/define'
export { defineJob } from './jobs/define'
export { useGit } from './composables/git'
export { useExec } from './composables/exec'
export { useTemplate } from './composables/template'
export { useJob } from './composables/job'
export { useLLM } from './composables/llm'
export { tryUseGitVan, useGitVan, withGitVan } from './context/use-gitvan'

// Declaration merging: GitVanConfig (plugin config keys), ExecSpecs (exec types), GitVanHooks (hooks), GitVanJobs (job ids, by `gitvan prepare`).
export type { DaemonConfig, GitVanConfig, LLMOptions, ResolvedGitVanConfig } from './types/config'
export type { CliExecSpec, ExecResult, ExecSpec, ExecSpecs, JobExecSpec, JsExecSpec, LlmExecSpec, TmplExecSpec } from './types/exec'
export type { GitVanHooks } from './types/hooks'
export type {
  CheckoutMode,
  CommitFilter,
  ConcurrencyPolicy,
  GitVanJobs,
  Globs,
  Job,
  JobDefinition,
  JobEvent,
  JobId,
  JobKind,
  JobMeta,
  JobRunReturn,
  JobStep,
  JobTrigger,
  JobTriggers,
  NameFilter,
  PathFilter,
  RetryPolicy,
  RunTarget,
  StepResults,
} from './types/job'
export type { GitVanContext } from './types/context'
export type { RunLogCollector, RunLogStream } from './types/log'
export type { ChangedPath, CommitInfo, RepoInfo } from './types/git'
export type { RenderedFile, TemplateData, TemplateEnv } from './types/templates'
export type { JSONSchema, LLMCallOptions, LLMJSONResponse, LLMMessage, LLMResponse, LLMRole, LLMUsage } from './types/llm'
export type { UseGit } from './composables/git'
export type { UseExec } from './composables/exec'
export type { UseJob } from './composables/job'
export type { LLMUseOptions } from './llm/for-context'
