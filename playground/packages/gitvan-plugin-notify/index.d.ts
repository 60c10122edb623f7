import type { ExecResult } from 'gitvan'
import type { ExecSpecBase, GitVanPlugin } from 'gitvan/kit'

/** Options: `notify: { ... }` in gitvan.config.ts, or `['gitvan-plugin-notify', { ... }]`. */
export interface NotifyOptions {
  /** File the lines are appended to, relative to the repository root (default `.gitvan/notify.log`). */
  file: string
  /** Local URL (`http://localhost:<port>/...`) to POST the lines to instead of the file. */
  url?: string
  /** Put before every line, e.g. `[ci]`. */
  prefix: string
}

/** Where one notification goes; the options' file or url when left out. */
export interface NotifyTarget {
  file?: string
  url?: string
}

/** `{ exec: 'notify', message: 'released 1.2.0' }` in a composite job's steps. */
export interface NotifyExecSpec extends ExecSpecBase, NotifyTarget {
  exec: 'notify'
  message: string
}

declare module 'gitvan' {
  /** `{ exec: 'notify', ... }` is a step of every job. */
  interface ExecSpecs {
    notify: NotifyExecSpec
  }
  /** `notify: { ... }` in gitvan.config.ts is checked: a misspelt option is a type error. */
  interface GitVanConfig {
    notify?: Partial<NotifyOptions>
  }
}

export interface UseNotify {
  /** Append `message` to the file (or POST it to the url); resolves with the step's result. */
  send: (message: string, target?: NotifyTarget) => Promise<ExecResult>
}

/** Auto-imported in jobs once the plugin is installed. */
export declare function useNotify(): UseNotify

declare const plugin: GitVanPlugin<NotifyOptions>
export default plugin
