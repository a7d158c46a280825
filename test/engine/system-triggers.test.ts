/**
 * Resume, network changes and being offline, through the engine's `SystemEvents` port (the
 * port is ours: a small in-test emitter stands in for powerMonitor or the interface poller).
 */
import { describe, expect, it } from 'vitest';
import type { SystemEventKind, SystemEvents } from '../../app/main/engine/ports.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { useDovecotSuite } from '../support/dovecot-suite.js';
import {
  announcedIds,
  fastLiveness,
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../support/engine-harness.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../support/messages.js';

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

describe('system triggers', () => {
  it('on resume, probes a silently dead connection and reconnects at once', async () => {
    const user = `trigger${++users}`;
    dovecot.addUser(user, 'pw');
    const proxy = await startFaultProxy(dovecot.port);
    cleanups.push(() => proxy.close());
    // A long heartbeat: only the resume trigger can find the dead connection in time.
    const settings = testSettings(
      [{ ...testAccount(dovecot, 'a', user, 'pw'), port: proxy.port }],
      5,
      { ...fastLiveness, heartbeatSeconds: 600 },
    );
    const system = new ManualSystemEvents();
    const engine = run(settings, system);
    await engine.allIdle(settings);
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
    expect(failed.detail).toBe('DONE got no answer within 1 s; retrying in 0 ms');
    await engine.announcements.waitFor(() => true, 'the mail from the sleep');
    expect(announcedIds(engine.announcements)).toEqual([id]);
  });

  it('on resume, resyncs a live connection without reconnecting', async () => {
    const user = `trigger${++users}`;
    dovecot.addUser(user, 'pw');
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw')], 5, fastLiveness);
    const system = new ManualSystemEvents();
    const engine = run(settings, system);
    await engine.allIdle(settings);
    const from = engine.statuses.items.length;
    system.emit('resume');
    await engine.allIdle(settings, from);
    expect(engine.statuses.items.slice(from).map((s) => `${s.state}: ${s.detail}`)).toEqual([
      'syncing: resume from sleep',
      'idle: watching, 0 unread',
    ]);
  });

  it('on suspend, logs out and stays offline; on resume, reconnects and announces what came meanwhile', async () => {
    const user = `trigger${++users}`;
    dovecot.addUser(user, 'pw');
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw')], 5, fastLiveness);
    const system = new ManualSystemEvents();
    const engine = run(settings, system);
    await engine.allIdle(settings);
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
    // Asleep means no reconnect attempts, not even after a heartbeat and a backoff cap.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(engine.statuses.items.slice(from).map((s) => s.state)).toEqual(['offline']);

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
    // No retry loop while offline: a backoff cap and more later, still one attempt.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
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
      [testAccount(limited, 'a', 'limited', 'pw', ['INBOX'])],
      5,
      fastLiveness,
    );
    const engine = run(one, new ManualSystemEvents());
    await engine.allIdle(one);
    await engine.apply(
      testSettings(
        [testAccount(limited, 'a', 'limited', 'pw', ['INBOX', 'Second'])],
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
