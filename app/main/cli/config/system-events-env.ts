/**
 * Test and diagnostic knobs of `tidings watch`'s system events, from the environment (the
 * CLI reads them; the desktop app does not). `TIDINGS_RESUME_DRIFT_MS` is how late a timer
 * must fire to count as a resume from sleep (default 10 s); `TIDINGS_SYSTEM_POLL_MS` is how
 * often timers and interfaces are checked (default 5 s). Tests set them to see a 3 s
 * SIGSTOP as a sleep and a new interface within a second; users have no reason to.
 */
import type { NodeSystemEventsOptions } from '../../engine/node/index.js';
import { ConfigError } from './config-error.js';

const KNOBS = {
  TIDINGS_RESUME_DRIFT_MS: 'driftMs',
  TIDINGS_SYSTEM_POLL_MS: 'intervalMs',
} as const;

/** The knobs that are set, or a `ConfigError` (exit 2) naming one that is not a number of ms. */
export function systemEventsOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): NodeSystemEventsOptions {
  const options: NodeSystemEventsOptions = {};
  const problems: string[] = [];
  for (const [name, option] of Object.entries(KNOBS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const ms = Number(raw);
    if (/^\d+$/.test(raw) && ms > 0) options[option] = ms;
    else problems.push(`${name}: expected a whole number of milliseconds above 0, got "${raw}"`);
  }
  if (problems.length > 0) throw new ConfigError('environment', problems);
  return options;
}
