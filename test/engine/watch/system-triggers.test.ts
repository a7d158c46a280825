/**
 * Resume, network changes and being offline, through the engine's `SystemEvents` port (the
 * port is ours: a small in-test emitter stands in for powerMonitor or the interface poller).
 */
import { describe, expect, it } from 'vitest';
import type { SystemEventKind, SystemEvents } from '../../../app/main/engine/base/ports.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  fastLiveness,
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

/** A SystemEvents port the test drives by hand. */
class ManualSystemEvents implements SystemEvents {
  online = true;
  private readonly listeners = new Set<(kind: SystemEventKind, detail: string) => void>();
  onEvent(listener: (kind: SystemEventKind, detail: string) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  isOnline() {
    return this.online;
  }
  emit(kind: SystemEventKind) {
    for (const listener of this.listeners) listener(kind, 'test');
  }
}

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

function run(settings: ReturnType<typeof testSettings>, system: SystemEvents): EngineRun {
  const engine = startEngine(settings, undefined, { systemEvents: system });
  cleanups.push(() => engine.supervisor.stop());
  return engine;
}

/** A deadline a busy CI machine meets, for tests that assert that no reconnect happened. */
const steadyLiveness = { ...fastLiveness, commandTimeoutSeconds: 5 };

/** A new user watched through a proxy, which counts the engine's connections. */
async function watchThroughProxy(liveness: Record<string, number>, system: SystemEvents) {
  const user = `trigger${++users}`;
  dovecot.addUser(user, 'pw');
  const proxy = await startFaultProxy(dovecot.port);
  cleanups.push(() => proxy.close());
  const settings = testSettings(
    [{ ...testAccount(dovecot, 'a', user, 'pw'), port: proxy.port }],
    5,
    liveness,
  );
  const engine = run(settings, system);
  await engine.allIdle(settings);
  return { user, proxy, settings, engine };
}

// Waits of up to 15 s chain here: the test's own timeout must come after the first of them.
describe('system triggers', { timeout: 60_000 }, () => {
  it('on resume, probes a silently dead connection and reconnects at once', async () => {
    const system = new ManualSystemEvents();
    // A long heartbeat: only the resume trigger can find the dead connection in time.
    const { user, proxy, engine } = await watchThroughProxy(
      { ...fastLiveness, heartbeatSeconds: 600 },
      system,
    );
    proxy.killSilently();
    const id = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]);
    const from = engine.statuses.items.length;
    system.emit('resume');
    const failed = await engine.statuses.waitFor(
      (s) => s.state === 'backoff',
      'probe failure',
      10_000,
      from,
    );
    // The probe is leaving IDLE (DONE): a NOTIFY connection that watches INBOX idles in it.
    expect(failed.detail).toMatch(/^DONE got no answer within 1 s; retrying in 0 ms$/);
    await engine.announcements.waitFor(() => true, 'the mail from the sleep');
    expect(announcedIds(engine.announcements)).toEqual([id]);
  });

  it('on resume, probes with the short deadline, not the command deadline', async () => {
    const system = new ManualSystemEvents();
    // A command deadline of 10 s: the resume probe's own 1 s must be what finds the dead link.
    const { proxy, engine } = await watchThroughProxy(
      { ...fastLiveness, heartbeatSeconds: 600, commandTimeoutSeconds: 10 },
      system,
    );
    proxy.killSilently();
    const from = engine.statuses.items.length;
    system.emit('resume');
    const failed = await engine.statuses.waitFor(
      (s) => s.state === 'backoff',
      'probe failure',
      10_000,
      from,
    );
    expect(failed.detail).toMatch(/^DONE got no answer within 1 s; /);
  });

  // The exact status sequence is asserted on the manual clock in mailbox-watcher.test.ts; here
  // "no reconnect" is read from the proxy's count of connections, and the deadline is 5 s.
  it('on resume, resyncs a live connection without reconnecting', async () => {
    const system = new ManualSystemEvents();
    const { proxy, settings, engine } = await watchThroughProxy(steadyLiveness, system);
    const from = engine.statuses.items.length;
    system.emit('resume');
    await engine.statuses.waitFor(
      (s) => s.state === 'syncing' && s.detail === 'resume from sleep',
      'the resync',
      10_000,
      from,
    );
    await engine.allIdle(settings, from);
    expect(proxy.accepted).toBe(1);
  });

  it('on suspend, logs out and stays offline; on resume, reconnects and announces what came meanwhile', async () => {
    const system = new ManualSystemEvents();
    const { user, proxy, settings, engine } = await watchThroughProxy(fastLiveness, system);
    const from = engine.statuses.items.length;
    system.emit('suspend');
    const asleep = await engine.statuses.waitFor(
      (s) => s.state === 'offline',
      'asleep',
      10_000,
      from,
    );
    expect(asleep.detail).toBe('system asleep');
    await dovecot.waitForLog(new RegExp(`imap\\(${user}\\).*Disconnected: Logged out`));
    const id = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]);
    // That no attempt follows while asleep is shown on the manual clock (mailbox-watcher.test.ts).
    expect(proxy.accepted).toBe(1);

    system.emit('resume');
    await engine.announcements.waitFor(() => true, 'the mail that came during the sleep');
    await engine.allIdle(settings, from);
    expect(announcedIds(engine.announcements)).toEqual([id]);
  });

  it('waits quietly while offline and tries again when the network changes', async () => {
    const system = new ManualSystemEvents();
    system.online = false;
    const unreachable = {
      ...testAccount(dovecot, 'a', 'nobody', 'pw'),
      host: 'imap.tidings.invalid',
    };
    const settings = testSettings([unreachable], 5, fastLiveness);
    const engine = run(settings, system);
    const offline = await engine.statuses.waitFor((s) => s.state === 'offline', 'offline');
    expect(offline.detail).toMatch(/^no network \(/);
    // No retry loop while offline, however long: shown on the manual clock in
    // mailbox-watcher.test.ts.
    expect(engine.statuses.filter((s) => s.state === 'connecting')).toHaveLength(1);

    system.online = true;
    system.emit('network-changed');
    await engine.statuses.waitForCount((s) => s.state === 'connecting', 2, 'a new attempt');
    const next = await engine.statuses.waitFor((s) => s.state === 'backoff', 'online failure');
    expect(next.detail).toMatch(/retrying in/);
  });

  it('backs off when the server refuses more connections, and names the reason', async () => {
    const limited = await startDovecot({ limited: 'pw' }, undefined, { maxUserIpConnections: 1 });
    cleanups.push(() => limited.stop());
    await limited.withClient('limited', (c) => c.mailboxCreate('Second'));
    // One watcher first: Dovecot's limit is not atomic for two logins at the same instant.
    const one = testSettings(
      [{ ...testAccount(limited, 'a', 'limited', 'pw', ['INBOX']), watchMode: 'idle' as const }],
      5,
      fastLiveness,
    );
    const engine = run(one, new ManualSystemEvents());
    await engine.allIdle(one);
    await engine.apply(
      testSettings(
        [
          {
            ...testAccount(limited, 'a', 'limited', 'pw', ['INBOX', 'Second']),
            // IDLE per mailbox, and a budget above the server's real limit of one.
            watchMode: 'idle' as const,
          },
        ],
        5,
        fastLiveness,
      ),
    );
    const refused = await engine.statuses.waitFor(
      (s) => s.mailbox === 'Second' && s.state === 'backoff',
      'the refused watcher',
    );
    expect(refused.detail).toMatch(/Maximum number of connections.*retrying in/);
    expect(engine.supervisor.getStatuses().find((s) => s.mailbox === 'INBOX')?.state).toBe('idle');
  });
});
