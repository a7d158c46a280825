/**
 * Exactly once by UID alone: the mail here has no Message-ID header at all (scripts, cron,
 * some old mailers), so the Message-ID memory cannot hide a repeat. Only the persisted
 * cursor and the `uid > highest` filter (RFC 3501 §6.4.8: "N:*" always matches the highest
 * UID) stand between the user and a duplicate, across refresh, reconnect and restart.
 */
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../../app/main/engine/base/announcement.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { buildMessage } from '../../support/messages.js';

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

/** A 5 s deadline: a busy CI machine must not turn a slow DONE into a reconnect here. */
const liveness = { heartbeatSeconds: 30, commandTimeoutSeconds: 5, maxBackoffSeconds: 1 };

function newUser(): string {
  const user = `noid${++users}`;
  dovecot.addUser(user, 'pw');
  return user;
}

function run(settings: ReturnType<typeof testSettings>, stateDir?: string): EngineRun {
  const engine = startEngine(settings, stateDir);
  cleanups.push(() => engine.supervisor.stop());
  return engine;
}

/** Delivers `count` messages without a Message-ID; resolves with their UIDs. */
function deliverWithoutIds(user: string, count: number): Promise<number[]> {
  const messages = Array.from({ length: count }, (_, i) =>
    buildMessage({ messageId: null, subject: `no id ${i}` }),
  );
  return dovecot.append(user, 'INBOX', messages);
}

/** UIDs announced so far, in order, each as often as it was announced. */
function announcedUids(engine: EngineRun): number[] {
  return engine.announcements.items.map((a: Announcement) => a.message.uid);
}

async function announced(engine: EngineRun, count: number): Promise<void> {
  await engine.announcements.waitForCount(() => true, count, `${count} announcements`, 15_000);
}

/** Refreshes and waits for the resync to end in idle, so that a repeat would have shown. */
async function settle(engine: EngineRun, settings: ReturnType<typeof testSettings>) {
  const from = engine.statuses.items.length;
  engine.supervisor.refresh();
  await engine.allIdle(settings, from);
}

// Waits of up to 15 s chain here: the test's own timeout must come after the first of them.
describe('exactly once without Message-IDs', { timeout: 60_000 }, () => {
  it('announces mail without a Message-ID once each, however often it is refreshed', async () => {
    const user = newUser();
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw')], 5, liveness);
    const engine = run(settings);
    await engine.allIdle(settings);
    const first = await deliverWithoutIds(user, 2);
    await announced(engine, 2);
    await settle(engine, settings);
    await settle(engine, settings);
    const second = await deliverWithoutIds(user, 1);
    await announced(engine, 3);
    await settle(engine, settings);
    expect(announcedUids(engine)).toEqual([...first, ...second]);
    const ids = engine.announcements.items.map((a) => a.kind === 'message' && a.message.messageId);
    expect(ids).toEqual([null, null, null]);
  });

  it('announces mail without a Message-ID once each across a reconnect', async () => {
    const user = newUser();
    const proxy = await startFaultProxy(dovecot.port);
    cleanups.push(() => proxy.close());
    const settings = testSettings(
      [{ ...testAccount(dovecot, 'a', user, 'pw'), port: proxy.port }],
      5,
      liveness,
    );
    const engine = run(settings);
    await engine.allIdle(settings);
    const before = await deliverWithoutIds(user, 2);
    await announced(engine, 2);
    const from = engine.statuses.items.length;
    proxy.resetAll();
    const during = await deliverWithoutIds(user, 1);
    await engine.allIdle(settings, from);
    const after = await deliverWithoutIds(user, 1);
    await announced(engine, 4);
    await settle(engine, settings);
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
    expect(announcedUids(engine)).toEqual([...before, ...during, ...after]);
  });

  it('announces mail without a Message-ID once each across a restart on the same state', async () => {
    const user = newUser();
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw')], 5, liveness);
    const first = run(settings);
    await first.allIdle(settings);
    const before = await deliverWithoutIds(user, 2);
    await announced(first, 2);
    await first.supervisor.stop();
    const whileStopped = await deliverWithoutIds(user, 1);

    const second = run(settings, first.stateDir);
    await announced(second, 1);
    await settle(second, settings);
    const after = await deliverWithoutIds(user, 1);
    await announced(second, 2);
    await settle(second, settings);
    expect(announcedUids(first)).toEqual(before);
    expect(announcedUids(second)).toEqual([...whileStopped, ...after]);
  });
});
