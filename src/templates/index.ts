export { createTemplateEnv } from './environment'
export { TemplateError } from './error'
export type { TemplateErrorDetails } from './error'
export type { RenderedFile, TemplateData, TemplateEnv, TemplateEnvOptions } from '../types/templates'
