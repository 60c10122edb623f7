import { expect } from 'vitest'
import { createTemplateEnv, TemplateError } from '../../src/templates'
import type { TemplateEnv, TemplateEnvOptions } from '../../src/templates'
import { tempDir } from '../utils/repo'
import { writeFiles } from '../utils/files'

/** The fixed clock of every test: no test reads the wall clock. */
export const NOW = new Date('2024-01-02T03:04:05Z')

/** Write `files` (paths relative to `root`). */

/** A temporary root holding `files`, and an environment over its `templates` dir (unless `dirs` says otherwise). */
export function setup(files: Record<string, string> = {}, options: Partial<TemplateEnvOptions> = {}): { root: string; templates: TemplateEnv } {
  const root = tempDir('gitvan-templates-')
  writeFiles(root, files)
  return { root, templates: createTemplateEnv({ root, dirs: ['templates'], now: () => NOW, ...options }) }
}

/** Assert `run` throws a one-line TemplateError matching `message`; returns it for further checks. */
export function expectTemplateError(run: () => unknown, message: string | RegExp): TemplateError {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(TemplateError)
  const error = caught as TemplateError
  expect(error.message).not.toContain('\n')
  expect(error.message).toMatch(message)
  return error
}

export {writeFiles} from '../utils/files'
