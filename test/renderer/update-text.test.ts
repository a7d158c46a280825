/** The About section's words for each update status (app/renderer/update-text.ts). */
import { describe, expect, it } from 'vitest';
import { describeUpdate } from '../../app/renderer/update-text.js';

const at = (iso: string) => `at ${iso}`;

describe('update status in words', () => {
  it('says an idle app was never checked, or when it last was', () => {
    expect(describeUpdate({ state: 'idle', checkedAt: null }, at).text).toBe('Never checked.');
    expect(describeUpdate({ state: 'idle', checkedAt: '2026-05-12T08:02:00Z' }, at).text).toBe(
      'Tidings is up to date. Last checked at 2026-05-12T08:02:00Z.',
    );
  });

  it('offers a check everywhere but off, and a restart only once an update is ready', () => {
    const off = describeUpdate({ state: 'off', reason: 'a development build: no updates' }, at);
    expect(off).toEqual({
      text: 'Updates are off (a development build: no updates).',
      tone: '',
      canCheck: false,
      canRestart: false,
    });
    const ready = describeUpdate({ state: 'ready', version: '1.4.0' }, at);
    expect(ready).toMatchObject({ tone: 'ok', canCheck: true, canRestart: true });
    expect(ready.text).toBe(
      'Version 1.4.0 is ready. It installs when you restart or quit Tidings.',
    );
    for (const state of [{ state: 'checking' }, { state: 'idle', checkedAt: null }] as const) {
      expect(describeUpdate(state, at)).toMatchObject({ canCheck: true, canRestart: false });
    }
  });

  it('gives the download percent when the updater knows it', () => {
    const downloading = (percent: number | null) =>
      describeUpdate({ state: 'downloading', version: '1.4.0', percent }, at).text;
    expect(downloading(null)).toBe('Downloading version 1.4.0…');
    expect(downloading(7)).toBe('Downloading version 1.4.0… 7%');
  });

  it("names a failed check's message and time", () => {
    const failed = describeUpdate(
      { state: 'error', message: 'HttpError: 404', checkedAt: '2026-05-12T08:02:00Z' },
      at,
    );
    expect(failed).toMatchObject({
      text: 'Could not check for updates: HttpError: 404 (at 2026-05-12T08:02:00Z).',
      tone: 'failed',
    });
  });
});
