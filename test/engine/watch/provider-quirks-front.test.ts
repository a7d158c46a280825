/**
 * The big providers' connection habits, played by a front (test/support/provider-front.ts)
 * before a real Dovecot, so that the mail is real: Gmail sitting on a DONE until new mail
 * comes, a server that drops connections silent for a while without a BYE (closed or
 * blackholed), a server with neither IDLE nor NOTIFY, an ALERT on a NOTIFY connection, and
 * Exchange ending a session for an expired token in answer to DONE. Every scenario sends uniquely identified mail and asserts
 * it announced exactly once, and the states and details the user saw on the way. Liveness is
 * short (heartbeat 2 s, deadline 1 s, backoff ≤ 1 s), as in the fault-injection suite.
 */
import { describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  fastLiveness,
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { waitUntil } from '../../support/manual-watcher.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import { startProviderFront, type ProviderFrontOptions } from '../../support/provider-front.js';
import type { SupervisorOptions } from '../../../app/main/engine/watch/supervisor.js';

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

/** What Gmail offers (no NOTIFY): Dovecot's list without it. */
const gmailLike = (list: string[]) => list.filter((c) => c.toUpperCase() !== 'NOTIFY');
/** A server with neither IDLE (RFC 2177) nor NOTIFY (RFC 5465). */
const noPush = (list: string[]) =>
  list.filter((c) => !['NOTIFY', 'IDLE'].includes(c.toUpperCase()));

interface Watch {
  mailboxes?: string[];
  account?: Record<string, unknown>;
  engine?: Partial<SupervisorOptions>;
  liveness?: Record<string, number>;
}

/** A fresh user watched through a fresh front; resolves once every mailbox is idle. */
async function watchThroughFront(front: ProviderFrontOptions, options: Watch = {}) {
  const mailboxes = options.mailboxes ?? ['INBOX'];
  const user = `quirk${++users}`;
  dovecot.addUser(user, 'pw');
  for (const mailbox of mailboxes.filter((m) => m !== 'INBOX')) {
    await dovecot.withClient(user, (c) => c.mailboxCreate(mailbox));
  }
  const proxy = await startProviderFront(dovecot.port, front);
  cleanups.push(() => proxy.close());
  const settings = testSettings(
    [{ ...testAccount(dovecot, 'a', user, 'pw', mailboxes), port: proxy.port, ...options.account }],
    5,
    options.liveness ?? fastLiveness,
  );
  const engine = startEngine(settings, undefined, options.engine);
  cleanups.push(() => engine.supervisor.stop());
  return { user, front: proxy, engine, settings };
}

async function deliver(user: string, mailbox = 'INBOX'): Promise<string> {
  const id = newMessageId();
  await dovecot.append(user, mailbox, [buildMessage({ messageId: id })]);
  return id;
}

async function announced(engine: EngineRun, id: string): Promise<void> {
  await engine.announcements.waitFor(
    (a) => a.message.messageId === id,
    `announcement of ${id}`,
    20_000,
  );
}

/** Waits for a refresh round trip, so that any duplicate would have shown by now. */
async function settle(engine: EngineRun, settings: ReturnType<typeof testSettings>) {
  const from = engine.statuses.items.length;
  engine.supervisor.refresh();
  await engine.allIdle(settings, from);
}

const isIdle = (s: WatcherStatus) => s.state === 'idle';

describe('provider quirks before a real Dovecot', { timeout: 60_000 }, () => {
  it('catches Gmail sitting on a DONE until new mail comes: the heartbeat deadline reconnects, and the mail is announced once', async () => {
    const { user, front, engine, settings } = await watchThroughFront({ capabilities: gmailLike });
    await engine.allIdle(settings);
    const before = await deliver(user);
    await announced(engine, before);
    const from = engine.statuses.items.length;
    front.withholdNextDone();
    const caught = await engine.statuses.waitFor(
      (s) => s.state === 'backoff',
      'the unanswered DONE',
      15_000,
      from,
    );
    expect(caught.detail).toMatch(/^DONE got no answer within 1 s; retrying in /);
    expect(caught.via).toBe('idle');
    // Gmail would answer that DONE only now; Tidings has long gone to a new connection.
    const during = await deliver(user);
    await engine.statuses.waitFor(isIdle, 'idle again', 15_000, from);
    await announced(engine, during);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([before, during]);
  });

  it('takes a DONE Gmail answers only once new mail comes, within the deadline, as a slow answer: same connection, mail announced once', async () => {
    const { user, front, engine, settings } = await watchThroughFront(
      { capabilities: gmailLike },
      { liveness: { heartbeatSeconds: 2, commandTimeoutSeconds: 8, maxBackoffSeconds: 1 } },
    );
    await engine.allIdle(settings);
    const from = engine.statuses.items.length;
    const connections = front.accepted;
    front.withholdNextDone();
    await waitUntil(() => front.held === 1, 10_000);
    const during = await deliver(user);
    await announced(engine, during);
    await waitUntil(() => front.held === 0);
    expect(engine.statuses.items.slice(from).map((s) => s.state)).not.toContain('backoff');
    expect(front.accepted).toBe(connections);
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });

  it.each([
    ['close', /^connection closed; retrying in /],
    ['blackhole', /^DONE got no answer within 1 s; retrying in /],
  ] as const)(
    'finds a connection dropped after a silent spell without a BYE (%s), reconnects and announces what came once',
    async (how, detail) => {
      const { user, front, engine, settings } = await watchThroughFront({
        capabilities: gmailLike,
      });
      await engine.allIdle(settings);
      const from = engine.statuses.items.length;
      // Silent for 1.5 s inside a 2 s heartbeat: every IDLE connection is dropped once.
      front.dropSilent({ ms: 1_500, how });
      const caught = await engine.statuses.waitFor(
        (s) => s.state === 'backoff',
        'the drop',
        15_000,
        from,
      );
      expect(caught.detail).toMatch(detail);
      front.dropSilent(undefined);
      const during = await deliver(user);
      await announced(engine, during);
      await settle(engine, settings);
      expect(announcedIds(engine.announcements)).toEqual([during]);
      expect(front.drops).toBeGreaterThanOrEqual(1);
      expect(front.accepted).toBeGreaterThanOrEqual(3);
    },
  );

  it('stays on one connection with a server that drops connections silent for longer than the heartbeat', async () => {
    const { user, front, engine, settings } = await watchThroughFront({ capabilities: gmailLike });
    await engine.allIdle(settings);
    // 4 s of silence would be dropped; the 2 s heartbeat's DONE and IDLE come first.
    front.dropSilent({ ms: 4_000, how: 'blackhole' });
    const dones = () => front.commands.filter((c) => c === 'DONE').length;
    const start = dones();
    await waitUntil(() => dones() >= start + 4, 20_000);
    const during = await deliver(user);
    await announced(engine, during);
    expect(front.drops).toBe(0);
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });

  it('polls a server with neither IDLE nor NOTIFY on one connection, says so, and announces each message once', async () => {
    const { user, front, engine, settings } = await watchThroughFront(
      { capabilities: noPush },
      { mailboxes: ['INBOX', 'Work'], account: { pollSeconds: 5 } },
    );
    await engine.allIdle(settings);
    const idle = engine.statuses.items.filter(isIdle);
    expect(new Set(idle.map((s) => s.via))).toEqual(new Set(['poll']));
    expect(idle.at(-1)?.detail).toMatch(/^checked every 5 s/);
    const inbox = await deliver(user);
    const work = await deliver(user, 'Work');
    await Promise.all([announced(engine, inbox), announced(engine, work)]);
    await settle(engine, settings);
    expect([...announcedIds(engine.announcements)].sort()).toEqual([inbox, work].sort());
    expect(front.commands).not.toContain('IDLE');
    expect(front.commands).not.toContain('NOTIFY');
    // Dovecot offers LIST-STATUS: each poll asks both mailboxes in one LIST.
    expect(front.commands).toContain('LIST');
    expect(front.commands).not.toContain('STATUS');
    expect(front.accepted).toBe(1);
  });

  it('names the problem when watchMode "idle" meets a server without IDLE', async () => {
    const { engine } = await watchThroughFront(
      { capabilities: noPush },
      { account: { watchMode: 'idle' } },
    );
    const failed = await engine.statuses.waitFor((s) => s.state === 'error', 'the error');
    expect(failed.detail).toBe(
      'the server does not offer IDLE (RFC 2177): set "watchMode" to "auto" to poll it',
    );
  });

  // Needs the watchers to subscribe to ImapSession.onAlert (see the report to the lead).
  it('shows an untagged ALERT on a NOTIFY connection in the status detail of each mailbox, and logs it', async () => {
    const logged: string[] = [];
    const record = (message: string) => void logged.push(message);
    const logger = { debug: record, info: record, warn: record, error: record };
    const alert = 'Scheduled maintenance tonight: expect a reconnect';
    const { front, engine, settings } = await watchThroughFront(
      {},
      { mailboxes: ['INBOX', 'Work'], engine: { logger } },
    );
    await engine.allIdle(settings);
    expect(engine.statuses.items.filter(isIdle).at(-1)?.via).toBe('notify');
    const from = engine.statuses.items.length;
    front.say(`* OK [ALERT] ${alert}`);
    const shown = await engine.statuses.waitForCount(
      (s) => s.detail.includes(alert),
      2,
      'the ALERT in both statuses',
      5_000,
      from,
    );
    expect(logged).toContain(`a/NOTIFY: server alert: ${alert}`);
    expect(shown.map((s) => `${s.mailbox}: ${s.state}: ${s.detail}`).sort()).toEqual([
      `INBOX: idle: watching (NOTIFY), 0 unread; server alert: ${alert}`,
      `Work: idle: watching (NOTIFY), 0 unread; server alert: ${alert}`,
    ]);
  });

  it("signs in again at once when Exchange answers the heartbeat's DONE with BYE Session invalidated - AccessTokenExpired", async () => {
    // Any backoff would wait 30 s: the test would time out.
    const { user, front, engine, settings } = await watchThroughFront(
      { capabilities: gmailLike },
      { engine: { backoff: { initialMs: 30_000, maxMs: 30_000 }, random: () => 1 } },
    );
    await engine.allIdle(settings);
    const from = engine.statuses.items.length;
    front.answer('DONE', () => '* BYE Session invalidated - AccessTokenExpired\r\n', {
      close: true,
    });
    const during = await deliver(user);
    await engine.statuses.waitFor(
      (s) => s.state === 'connecting' && s.detail.includes('signing in again'),
      'the new sign-in',
      15_000,
      from,
    );
    await engine.statuses.waitFor(isIdle, 'idle again', 15_000, from);
    await announced(engine, during);
    const since = engine.statuses.items.slice(from);
    expect(since.map((s) => s.state)).not.toContain('backoff');
    expect(since.find((s) => s.state === 'connecting')?.detail).toBe(
      'server closed the connection: Session invalidated - AccessTokenExpired; signing in again',
    );
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });
});
