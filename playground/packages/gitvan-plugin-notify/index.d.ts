import type { ExecResult, GitVanPlugin } from 'gitvan'

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
export interface NotifyExecSpec extends NotifyTarget {
  exec: 'notify'
  message: string
  timeout?: number
  continueOnError?: boolean
  name?: string
}

declare module 'gitvan' {
  interface ExecSpecs {
    notify: NotifyExecSpec
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
