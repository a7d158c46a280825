/** When a sync may fetch previews: the preference under showSubject, and no storm. */
import { describe, expect, it } from 'vitest';
import {
  defaultNotificationSettings,
  type NotificationSettings,
} from '../../../app/common/settings-schema.js';
import { PreviewGate } from '../../../app/main/engine/preview/index.js';
import { STORM_GAP_MS } from '../../../app/main/engine/popups/index.js';
import type { Clock } from '../../../app/main/engine/base/index.js';

function gate(overrides: Partial<NotificationSettings> = {}) {
  let now = 1_000_000;
  const clock = { now: () => now } as Clock;
  const settings = { ...defaultNotificationSettings, burstThreshold: 5, ...overrides };
  return {
    gate: new PreviewGate(clock, () => settings),
    settings,
    advance: (ms: number) => (now += ms),
  };
}

describe('PreviewGate', () => {
  it('is on by default and off with the preference off or with sender and subject hidden', () => {
    expect(defaultNotificationSettings.preview).toBe(true);
    expect(gate().gate.admit('a', 'INBOX', 1)).toBe(true);
    expect(gate({ preview: false }).gate.admit('a', 'INBOX', 1)).toBe(false);
    expect(gate({ showSubject: false }).gate.admit('a', 'INBOX', 1)).toBe(false);
  });

  it("admits a storm's messages up to the burst threshold, per mailbox, and none once past it", () => {
    // Found whole by one sync.
    expect(gate().gate.admit('a', 'INBOX', 6)).toBe(false);
    const calm = gate();
    const admitted = [1, 1, 2, 1, 1].map((found) => {
      calm.advance(100);
      return calm.gate.admit('a', 'INBOX', found);
    });
    expect(admitted).toEqual([true, true, true, true, false]);
    // Another mailbox and another account have storms of their own.
    expect(calm.gate.admit('a', 'Work', 1)).toBe(true);
    expect(calm.gate.admit('b', 'INBOX', 1)).toBe(true);
    // A quiet spell longer than the popup policy's gap ends the storm.
    calm.advance(STORM_GAP_MS + 1);
    expect(calm.gate.admit('a', 'INBOX', 1)).toBe(true);
  });

  it('follows the settings in force at each sync', () => {
    const { gate: previews, settings } = gate();
    settings.preview = false;
    expect(previews.admit('a', 'INBOX', 1)).toBe(false);
    settings.preview = true;
    expect(previews.admit('a', 'INBOX', 1)).toBe(true);
  });

  it('reads no preview in the sync after one whose fetch failed, then reads them again', () => {
    const { gate: previews, advance } = gate();
    previews.failed('a', 'INBOX');
    // A sync that found nothing does not use up the skip: the retry of those messages does.
    expect(previews.admit('a', 'INBOX', 0)).toBe(false);
    expect(previews.admit('a', 'INBOX', 1)).toBe(false);
    expect(previews.admit('a', 'Work', 1)).toBe(true);
    advance(STORM_GAP_MS + 1);
    expect(previews.admit('a', 'INBOX', 1)).toBe(true);
  });

  it('admits nothing for a sync that found nothing', () => {
    expect(gate().gate.admit('a', 'INBOX', 0)).toBe(false);
  });
});
