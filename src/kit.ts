/**
 * `gitvan/kit`: what plugin authors and programs that drive GitVan use (as `@nuxt/kit` is to Nuxt modules):
 * `defineGitVanPlugin`, the app, exec handlers, hooks' arguments, LLM providers, path checks, every error class
 * GitVan throws, and the programmatic API (`createGitVan`, `createDaemon`, `runExec`, ...). Job code uses `gitvan`.
 */
export { defineGitVanPlugin } from './plugins/define'
export { resolveInside } from './utils/paths'

// Programmatic API: the composition root and what it is made of.
export { createGitVan } from './app/create'
export { loadGitVanConfig, configDefaults } from './config'
export { createGitVanContext } from './context/create-context'
export { resolveRepo } from './git/repo'
export { runExec } from './exec/run-exec'
export { createDaemon } from './daemon/daemon'
export { startDevSession } from './dev/session'
export { createTemplateEnv } from './templates'
export { createLLMClient, createLLMRegistry, llmDefaults, ollamaProvider, openaiProvider } from './llm'
export { LLM_CACHE_REF } from './llm/cache'

// Every error GitVan throws on purpose, to catch with `instanceof`.
export { ConfigError } from './config'
export { ExecTypeError } from './exec/registry'
export { RunCancelled, RunSkipped } from './exec/outcome'
export { GitError } from './git/error'
export { DuplicateJobError } from './jobs/scan'
export { JobDefinitionError } from './jobs/define'
export { JobLoadError, UnknownJobError } from './jobs/registry'
export { JobSyntaxError } from './jobs/syntax-error'
export { ClaimError } from './locks/claims'
export { LeaseError } from './locks/lease'
export { LLMError } from './llm/error'
export { PathEscapeError } from './utils/paths'
export { PluginError } from './plugins/error'
export { TemplateError } from './templates/error'

export type { GitVanApp, GitVanImport, JobRun, RunJobOptions } from './types/app'
export type { ExecHandler, ExecHandlerContext, ExecSpecBase } from './types/exec'
export type { DaemonCloseInfo, DaemonStartInfo, DaemonTickInfo, DevReloadInfo } from './types/hooks'
export type { JobFile } from './types/job'
export type { GitVanPlugin, GitVanPluginEntry, GitVanPluginMeta, InstalledGitVanPlugin } from './types/plugin'
export type { Receipt, ReceiptStatus } from './types/receipt'
export type { RunLog, RunLogEntry } from './types/log'
export type { TemplateEnvOptions } from './types/templates'
export type {
  LLMChatRequest,
  LLMClient,
  LLMClientDeps,
  LLMConfig,
  LLMGenerateInput,
  LLMGenerateRequest,
  LLMProvider,
  LLMProviderContext,
  LLMRegistry,
  LLMRetryInfo,
} from './types/llm'
export type { LLMErrorCode, LLMErrorInit } from './llm/error'
export type { TemplateErrorDetails } from './templates/error'
export type { LoadConfigOptions, LoadedConfig } from './config'
export type { CreateContextOptions } from './context/create-context'
export type { RunExecOptions } from './exec/run-exec'
export type { Daemon, DaemonEvent, DaemonOptions, TickSummary } from './types/daemon'
export type { DevEvent, DevSession, DevSessionOptions } from './dev/session'
