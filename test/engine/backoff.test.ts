import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultBackoff } from '../../app/main/engine/backoff.js';

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt', () => {
    const top = (attempt: number) => backoffDelay(defaultBackoff, attempt, () => 1);
    expect([0, 1, 2, 3].map(top)).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(defaultBackoff, 50, () => 1)).toBe(defaultBackoff.maxMs);
    expect(backoffDelay(defaultBackoff, 5_000, () => 1)).toBe(defaultBackoff.maxMs);
  });

  it('spreads delays over the whole range (full jitter)', () => {
    expect(backoffDelay(defaultBackoff, 3, () => 0)).toBe(0);
    expect(backoffDelay(defaultBackoff, 3, () => 0.5)).toBe(4_000);
  });
});
