/**
 * Another client changes the mailbox under the watcher, against a real Dovecot: mail that
 * arrives already `\Deleted`, and EXPUNGE while idling or in the middle of a resync (the
 * proxy holds the watcher's UID FETCH while the other client expunges). Nothing is announced
 * twice, nothing crashes, no reconnect is needed, and the unread count follows.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

/** A 5 s deadline: a busy CI machine must not turn a slow DONE into a reconnect here. */
const liveness = { heartbeatSeconds: 30, commandTimeoutSeconds: 5 };

/** A fresh user watched through a proxy (which counts connections); resolves once idle. */
async function watchThroughProxy() {
  const user = `changes${++users}`;
  dovecot.addUser(user, 'pw');
  const proxy = await startFaultProxy(dovecot.port);
  cleanups.push(() => proxy.close());
  const settings = testSettings(
    [{ ...testAccount(dovecot, 'a', user, 'pw'), port: proxy.port }],
    5,
    liveness,
  );
  const engine = startEngine(settings);
  cleanups.push(() => engine.supervisor.stop());
  await engine.allIdle(settings);
  return { user, proxy, engine, settings };
}

async function deliver(user: string, count: number, flags: string[] = []): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newMessageId());
  await dovecot.append(
    user,
    'INBOX',
    ids.map((messageId) => buildMessage({ messageId })),
    flags,
  );
  return ids;
}

/** Expunges the messages with `uids` from another connection. */
function expunge(user: string, uids: number[]): Promise<void> {
  return dovecot.withClient(user, async (client: ImapFlow) => {
    await client.mailboxOpen('INBOX');
    await client.messageDelete(uids.join(','), { uid: true });
  });
}

function idleWithUnread(engine: EngineRun, unread: number, from = 0) {
  return engine.statuses.waitFor(
    (s) => s.state === 'idle' && s.unread === unread,
    `idle with ${unread} unread`,
    15_000,
    from,
  );
}

/** Refreshes and waits for the resync to end in idle, so that a repeat would have shown. */
async function settle(engine: EngineRun, settings: ReturnType<typeof testSettings>) {
  const from = engine.statuses.items.length;
  engine.supervisor.refresh();
  await engine.allIdle(settings, from);
}

// Waits of up to 15 s chain here: the test's own timeout must come after the first of them.
describe('changes by another client', { timeout: 60_000 }, () => {
  it('does not announce mail that arrives already \\Deleted', async () => {
    const { user, engine, settings } = await watchThroughProxy();
    await deliver(user, 2, ['\\Deleted']);
    const marker = await deliver(user, 1);
    await engine.announcements.waitFor(() => true, 'the marker');
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual(marker);
  });

  it('takes an EXPUNGE while idle without announcing anything again or reconnecting', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy();
    const ids = await deliver(user, 3);
    await engine.announcements.waitForCount(() => true, 3, 'three messages');
    await idleWithUnread(engine, 3);
    const from = engine.statuses.items.length;
    await expunge(user, [1, 3]);
    await idleWithUnread(engine, 1, from);
    // No resync was needed: NOTIFY's STATUS push carried the new unread count.
    expect(engine.statuses.items.slice(from).map((s) => s.state)).not.toContain('connecting');
    const later = await deliver(user, 1);
    await idleWithUnread(engine, 2, from);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([...ids, ...later]);
    expect(proxy.accepted).toBe(1);
  });

  it('takes an EXPUNGE in the middle of a resync: the rest announced once, the count right', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy();
    // The resync that the new mail starts is held at its UID FETCH while UID 2 goes away.
    const held = proxy.holdClient(/UID FETCH/, () => expunge(user, [2]));
    const ids = await deliver(user, 3);
    await held;
    await engine.announcements.waitForCount(() => true, 2, 'the two left');
    await idleWithUnread(engine, 2);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([ids[0], ids[2]]);
    expect(engine.supervisor.getStatuses()[0]).toMatchObject({ state: 'idle', unread: 2 });
    expect(proxy.accepted).toBe(1);
  });
});
