/**
 * `--timeout SECONDS` of `tidings check` and `tidings mailboxes`. Its own module, with no
 * imports: the command line checks it before it loads the command that takes it.
 */

/** The per-step deadline when `--timeout` is not given: short, so a blackhole cannot hang us. */
export const DEFAULT_STEP_TIMEOUT_SECONDS = 10;

/** `--timeout SECONDS` in milliseconds, or a message naming what is wrong with it. */
export function parseStepTimeout(given: string | undefined): number | string {
  if (given === undefined) return DEFAULT_STEP_TIMEOUT_SECONDS * 1000;
  const seconds = Number(given);
  if (!/^\d+(\.\d+)?$/.test(given.trim()) || !(seconds >= 0.1 && seconds <= 300)) {
    return `--timeout: expected seconds from 0.1 to 300, got "${given}"`;
  }
  return Math.round(seconds * 1000);
}
