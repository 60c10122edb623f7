// git's refusals (stable wording: runGit sets LC_ALL=C): an expectation that did not hold, a ref locked by another.
// A transaction's refusal comes prefixed with the step that failed (`prepare: `).
export const LOST_RACE = /^fatal: (?:prepare: |commit: )?cannot lock ref '([^']+)': (?:reference already exists|is at [0-9a-f]+ but expected [0-9a-f]+|unable to resolve reference '[^']+')$/m
export const LOCKED = /^fatal: (?:prepare: |commit: )?cannot lock ref '([^']+)': Unable to create '.*\.lock': File exists\.$/m
/**
 * Refusals that say someone else is changing refs right now, not that an expectation failed: `packed-refs` locked
 * (another deletion or a `pack-refs`), or a ref directory created or removed under us. Always tried again.
 */
export const BUSY = /Unable to create '[^']*packed-refs\.lock': File exists|unable to create directory for/

/** Whether a failed `update-ref` was refused because another git process was busy with the refs (try again). */
export function isRefContention(stderr: string): boolean {
  return BUSY.test(stderr) || LOCKED.test(stderr)
}
