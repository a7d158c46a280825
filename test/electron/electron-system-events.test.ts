/** powerMonitor events reach a real engine watching a real Dovecot. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { fastLiveness, startEngine, testAccount, testSettings } from '../support/engine-harness.js';
import { fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { createElectronSystemEvents } =
  await import('../../app/main/electron/electron-system-events.js');

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot({ ann: 'pw' });
});
afterAll(async () => {
  await dovecot?.stop();
});

describe('Electron system events', () => {
  it('turns powerMonitor resume and (macOS) unlock-screen into resyncs of every watcher', async () => {
    const events = createElectronSystemEvents('darwin');
    const settings = testSettings([testAccount(dovecot, 'a', 'ann', 'pw')], 5, fastLiveness);
    const engine = startEngine(settings, undefined, { systemEvents: events });
    try {
      await engine.allIdle(settings);
      for (const [event] of [['resume'], ['unlock-screen']]) {
        const from = engine.statuses.items.length;
        fake.powerMonitor.emit(event as string);
        await engine.allIdle(settings, from);
        expect(engine.statuses.items.slice(from).map((s) => s.detail)).toEqual([
          'resume from sleep',
          // Dovecot offers NOTIFY: the account's one connection watches every mailbox.
          'watching (NOTIFY), 0 unread',
        ]);
      }
    } finally {
      await engine.supervisor.stop();
      events.close();
    }
    expect(fake.powerMonitor.listenerCount('resume')).toBe(0);
  });

  it('listens for unlock-screen only where Electron has it: macOS and Windows, not Linux', () => {
    for (const [platform, listens] of [
      ['linux', 0],
      ['darwin', 1],
      ['win32', 1],
    ] as const) {
      const events = createElectronSystemEvents(platform);
      expect(fake.powerMonitor.listenerCount('unlock-screen')).toBe(listens);
      expect(fake.powerMonitor.listenerCount('resume')).toBe(1);
      events.close();
      expect(fake.powerMonitor.listenerCount('unlock-screen')).toBe(0);
    }
  });

  it('is offline when Electron says so', () => {
    const events = createElectronSystemEvents();
    fake.net.isOnline.mockReturnValueOnce(false);
    expect(events.isOnline()).toBe(false);
    events.close();
  });
});
