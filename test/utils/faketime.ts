import { existsSync } from 'node:fs'

// No test-runner imports here: benches use this too.

/** Debian's libfaketime (package `faketime`; `.ci/run` installs it). The MT build suits node's threads. */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1'

/**
 * Environment that starts a process's clock (and its children's) at `start` ("2026-01-01 10:04:55") or shifts it
 * by an offset ("+5s", "-3s"), after which it runs at the normal pace. Set directly rather than through the
 * `faketime` wrapper, so signals reach the process itself.
 */
export function fakeTime(spec: string): Record<string, string> {
  if (!existsSync(LIBFAKETIME)) throw new Error(`${LIBFAKETIME} is missing: apt-get install -y faketime`)
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME: /^[+-]/.test(spec) ? spec : `@${spec}`, FAKETIME_DONT_RESET: '1' }
}
