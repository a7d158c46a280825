import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  backoffFor,
  defaultBackoff,
} from '../../../app/main/engine/watch/backoff.js';
import { livenessSettingsSchema } from '../../../app/common/settings-schema.js';

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt', () => {
    const top = (attempt: number) => backoffDelay(defaultBackoff, attempt, () => 1);
    expect([0, 1, 2, 3].map(top)).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never exceeds the cap the settings give, however many attempts', () => {
    // What the watchers run with by default: liveness.maxBackoffSeconds, 300 s.
    const running = backoffFor(livenessSettingsSchema.parse({}));
    expect(backoffDelay(running, 50, () => 1)).toBe(300_000);
    expect(backoffDelay(running, 5_000, () => 1)).toBe(300_000);
    const capped = backoffFor(livenessSettingsSchema.parse({ maxBackoffSeconds: 30 }));
    expect([4, 5, 6].map((attempt) => backoffDelay(capped, attempt, () => 1))).toEqual([
      16_000, 30_000, 30_000,
    ]);
  });

  it('spreads delays over the whole range (full jitter)', () => {
    expect(backoffDelay(defaultBackoff, 3, () => 0)).toBe(0);
    expect(backoffDelay(defaultBackoff, 3, () => 0.5)).toBe(4_000);
  });
});
