import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/main/cli/config/config-error.js';
import { systemEventsOptionsFromEnv } from '../../../app/main/cli/config/system-events-env.js';

describe('systemEventsOptionsFromEnv', () => {
  it('leaves the defaults alone when no knob is set', () => {
    expect(systemEventsOptionsFromEnv({})).toEqual({});
  });

  it('reads the resume drift and the poll interval in milliseconds', () => {
    expect(
      systemEventsOptionsFromEnv({
        TIDINGS_RESUME_DRIFT_MS: '1500',
        TIDINGS_SYSTEM_POLL_MS: '250',
      }),
    ).toEqual({ driftMs: 1500, intervalMs: 250 });
  });

  it('rejects a knob that is not a whole number of milliseconds above 0, naming it', () => {
    for (const bad of ['0', '-5', '1.5', '10s', ' 100']) {
      let error: unknown;
      try {
        systemEventsOptionsFromEnv({ TIDINGS_RESUME_DRIFT_MS: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        `TIDINGS_RESUME_DRIFT_MS: expected a whole number of milliseconds above 0, got "${bad}"`,
      ]);
    }
  });
});
