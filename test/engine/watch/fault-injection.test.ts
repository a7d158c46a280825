/**
 * Faults of the field between the engine and a real Dovecot, through a TCP proxy: every
 * scenario sends uniquely identified mail and asserts exact outcomes (each message announced,
 * none twice) and the states passed through. Liveness is short (heartbeat 2 s, deadline 1 s,
 * backoff ≤ 1 s) so the suite takes seconds, not hours; that is why no test here asserts
 * that nothing else happened in between (a DONE slower than 1 s on a busy machine is a
 * reconnect by design), only outcomes and states reached.
 */
import net from 'node:net';
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
import { startFaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import { LOGOUT_GRACE_MS } from '../../../app/main/engine/watch/connection-watcher.js';
import type { SupervisorOptions } from '../../../app/main/engine/watch/supervisor.js';

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

type WatchMode = 'notify' | 'idle';

/** A fresh user watched through a fresh proxy, by NOTIFY or IDLE; resolves once idle. */
async function watchThroughProxy(
  watchMode: WatchMode,
  mailboxes = ['INBOX'],
  extra: Partial<SupervisorOptions> = {},
) {
  const user = `fault${++users}`;
  dovecot.addUser(user, 'pw');
  for (const mailbox of mailboxes.filter((m) => m !== 'INBOX')) {
    await dovecot.withClient(user, (c) => c.mailboxCreate(mailbox));
  }
  const proxy = await startFaultProxy(dovecot.port);
  cleanups.push(() => proxy.close());
  const settings = testSettings(
    [{ ...testAccount(dovecot, 'a', user, 'pw', mailboxes), port: proxy.port, watchMode }],
    5,
    fastLiveness,
  );
  const engine = startEngine(settings, undefined, extra);
  cleanups.push(() => engine.supervisor.stop());
  await engine.allIdle(settings);
  return { user, proxy, engine, settings };
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

function statesSince(engine: EngineRun, from: number): string[] {
  return engine.statuses.items.slice(from).map((s: WatcherStatus) => s.state);
}

const isIdle = (s: WatcherStatus) => s.state === 'idle';

/**
 * What proves a connection alive in each mode: leaving IDLE (DONE answered). A NOTIFY
 * connection that watches INBOX waits in IDLE with INBOX selected too; a mailbox change seen
 * through a fault may also reach the resync's EXAMINE first.
 */
const probe: Record<WatchMode, RegExp> = {
  idle: /^DONE got no answer within 1 s/,
  notify: /^(DONE|SELECT INBOX) got no answer within 1 s/,
};

// Scenarios chain waits of 15–20 s each: the test's own timeout must come after the first
// of them, so that a hang fails with the wait's description and the last events. The suite
// runs once per way of waiting: NOTIFY (Dovecot offers it) and IDLE per mailbox.
describe.each(['notify', 'idle'] as const)('fault injection (%s)', { timeout: 60_000 }, (mode) => {
  it('recovers from a reset while idle and announces mail sent during the outage once', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy(mode);
    const before = await deliver(user);
    await announced(engine, before);
    const from = engine.statuses.items.length;
    proxy.resetAll();
    const during = await deliver(user);
    await engine.statuses.waitFor(isIdle, 'idle after reset', 15_000, from);
    const after = await deliver(user);
    await Promise.all([announced(engine, during), announced(engine, after)]);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([before, during, after]);
    expect(statesSince(engine, from)).toEqual(
      expect.arrayContaining(['backoff', 'connecting', 'syncing', 'idle']),
    );
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
  });

  it.each(['close', 'mute'] as const)(
    'takes a BYE during IDLE for the end of the connection (then %s), reconnects and catches up',
    async (then) => {
      const { user, proxy, engine, settings } = await watchThroughProxy(mode);
      const from = engine.statuses.items.length;
      const cutAt = Date.now();
      proxy.bye('Server shutting down for maintenance', then);
      const during = await deliver(user);
      const detected = await engine.statuses.waitFor(
        (s) => s.state === 'backoff',
        'the BYE',
        15_000,
        from,
      );
      console.info(`BYE (${then}) detected after ${Date.now() - cutAt} ms: ${detected.detail}`);
      expect(detected.detail).toMatch(
        /^server closed the connection: Server shutting down for maintenance; retrying in/,
      );
      await engine.statuses.waitFor(isIdle, 'idle after the BYE', 15_000, from);
      await announced(engine, during);
      await settle(engine, settings);
      expect(announcedIds(engine.announcements)).toEqual([during]);
      expect(proxy.accepted).toBeGreaterThanOrEqual(2);
    },
  );

  it('detects a blackholed connection with the heartbeat, and catches up once the path is back', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy(mode);
    const from = engine.statuses.items.length;
    const cutAt = Date.now();
    await proxy.setMode('blackhole');
    const during = await deliver(user);
    const detected = await engine.statuses.waitFor(
      (s) => s.state !== 'idle',
      'detection',
      15_000,
      from,
    );
    console.info(
      `blackhole detected after ${Date.now() - cutAt} ms: ${detected.state} (${detected.detail})`,
    );
    expect(detected.state).toBe('backoff');
    expect(detected.detail).toMatch(probe[mode]);
    expect(detected.detail).toMatch(/; retrying in/);
    // While the path stays dark, reconnects fail on the greeting deadline and keep retrying.
    await engine.statuses.waitFor(
      (s) => s.state === 'backoff' && /^connect and login got no answer/.test(s.detail),
      'a failed reconnect',
      15_000,
      from,
    );
    const healedFrom = engine.statuses.items.length;
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle after the blackhole', 15_000, healedFrom);
    await announced(engine, during);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });

  it('tears down a connection whose UID FETCH gets no answer within the deadline, and announces once', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy(mode);
    let release = () => {};
    // The resync's UID FETCH never reaches Dovecot until the test lets it go.
    const held = proxy.holdClient(
      /UID FETCH/,
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    const from = engine.statuses.items.length;
    const id = await deliver(user);
    const failed = await engine.statuses.waitFor(
      (s) => s.state === 'backoff',
      'the missed deadline',
      15_000,
      from,
    );
    expect(failed.detail).toMatch(/^UID FETCH got no answer within 1 s; retrying in/);
    release();
    await held;
    await announced(engine, id);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([id]);
  });

  it('treats a swallowed DONE as a dead connection', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy(mode);
    const from = engine.statuses.items.length;
    await proxy.setMode('swallow-client');
    const during = await deliver(user);
    const detected = await engine.statuses.waitFor(
      (s) => s.state === 'backoff',
      'detection',
      15_000,
      from,
    );
    // Dovecot's EXISTS still reaches us (server → client passes); what we send next (DONE,
    // or with NOTIFY the resync's EXAMINE) does not reach it.
    expect(detected.detail).toMatch(probe[mode]);
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle again', 15_000, engine.statuses.items.length);
    await announced(engine, during);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });

  it('keeps retrying while connections are refused, then catches up', async () => {
    const { user, proxy, engine, settings } = await watchThroughProxy(mode);
    const from = engine.statuses.items.length;
    await proxy.setMode('refuse');
    proxy.resetAll();
    await engine.statuses.waitForCount(
      (s) => s.state === 'backoff' && /^connection refused; retrying in/.test(s.detail),
      2,
      'two refused attempts',
      15_000,
      from,
    );
    const during = await deliver(user);
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle again', 15_000, from);
    await announced(engine, during);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });

  it('comes back at the first greeting after connections were dropped before it, not at the end of its backoff', async () => {
    // Ten minutes from the first failure (random = 1): only the knocks can end it sooner.
    const { user, proxy, engine, settings } = await watchThroughProxy(mode, ['INBOX'], {
      backoff: { initialMs: 600_000, maxMs: 600_000 },
      random: () => 1,
    });
    const from = engine.statuses.items.length;
    await proxy.setMode('drop');
    proxy.resetAll();
    await engine.statuses.waitFor(
      (s) => s.state === 'backoff' && /retrying in 600 s/.test(s.detail),
      'a ten-minute backoff',
      15_000,
      from,
    );
    const during = await deliver(user);
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle again, long before the backoff ends', 15_000, from);
    await announced(engine, during);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([during]);
  });

  it('survives a Dovecot restart without losing or repeating mail', async () => {
    const { user, engine, settings } = await watchThroughProxy(mode);
    const before = await deliver(user);
    await announced(engine, before);
    const from = engine.statuses.items.length;
    await dovecot.restart();
    const after = await deliver(user);
    await engine.statuses.waitFor(isIdle, 'idle after the restart', 15_000, from);
    await announced(engine, after);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([before, after]);
    expect(statesSince(engine, from)).toContain('backoff');
  });

  it('reports a deleted mailbox, and re-baselines once it is recreated', async () => {
    const { user, engine, settings } = await watchThroughProxy(mode, ['Work']);
    const from = engine.statuses.items.length;
    await dovecot.withClient(user, (c) => c.mailboxDelete('Work'));
    const missing = await engine.statuses.waitFor(
      (s) => s.state === 'error' && /mailbox not found/i.test(s.detail),
      'mailbox not found',
      15_000,
      from,
    );
    // IDLE's connection fails and retries; NOTIFY's goes on and waits for MailboxName news.
    expect(missing.detail).toMatch(
      mode === 'idle' ? /retrying in/ : /; watching for it to come back$/,
    );
    const recreatedFrom = engine.statuses.items.length;
    await dovecot.withClient(user, (c) => c.mailboxCreate('Work'));
    await engine.statuses.waitFor(isIdle, 'idle on the new mailbox', 15_000, recreatedFrom);
    const fresh = await deliver(user, 'Work');
    await announced(engine, fresh);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([fresh]);
  });

  it('stops promptly while a command hangs', async () => {
    const { proxy, engine } = await watchThroughProxy(mode);
    await proxy.setMode('blackhole');
    engine.supervisor.refresh();
    const started = performance.now();
    await engine.supervisor.stop();
    // LOGOUT gets LOGOUT_GRACE_MS (2 s), then the socket is dropped: never the command's
    // deadline, let alone a hang. A bound, not a timing target: generous for a busy machine.
    expect(performance.now() - started).toBeLessThan(LOGOUT_GRACE_MS + 1_500);
    expect(engine.supervisor.getStatuses()).toEqual([]);
    expect(engine.statuses.items.at(-1)?.state).toBe('stopped');
  });

  // That it then makes no attempt of its own, however long it waits, is shown on the manual
  // clock in mailbox-watcher.test.ts.
  it('reports a wrong password as auth-failed, and recovers when the settings are corrected', async () => {
    const user = `fault${++users}`;
    dovecot.addUser(user, 'right');
    const wrong = testSettings(
      [{ ...testAccount(dovecot, 'a', user, 'wrong'), watchMode: mode }],
      5,
      fastLiveness,
    );
    const engine = startEngine(wrong);
    cleanups.push(() => engine.supervisor.stop());
    const failed = await engine.statuses.waitFor((s) => s.state === 'auth-failed', 'auth-failed');
    expect(failed.detail).toMatch(/^login rejected: /);
    expect(engine.statuses.filter((s) => s.state === 'connecting')).toHaveLength(1);

    const right = testSettings(
      [{ ...testAccount(dovecot, 'a', user, 'right'), watchMode: mode }],
      5,
      fastLiveness,
    );
    const from = engine.statuses.items.length;
    await engine.apply(right);
    await engine.statuses.waitFor(isIdle, 'idle with the corrected password', 15_000, from);
  });

  const garbageServers: Array<[string, (socket: net.Socket) => void, RegExp]> = [
    [
      'greets like an SMTP server',
      (socket) => socket.write('220 mail.example.test ESMTP\r\n'),
      /^connect and login got no answer within 1 s; retrying in/,
    ],
    [
      'answers every command with BAD and untagged noise',
      (socket) => {
        socket.write('* OK ready\r\n');
        socket.on('data', (data: Buffer) => {
          const tag = data.toString('latin1').split(' ')[0];
          socket.write(`* (((((( \u0000\u00ff\r\n${tag} BAD what?\r\n`);
        });
      },
      /^what\?; retrying in/,
    ],
    [
      'closes after an HTTP error page',
      (socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'),
      // imapflow reports the close itself or its own error first, depending on timing.
      /^(Unexpected close|connection closed); retrying in/,
    ],
  ];

  it.each(garbageServers)(
    'names the failure when the server %s, and keeps retrying',
    async (_name, behave, detail) => {
      const garbage = net.createServer((socket) => {
        socket.on('error', () => {});
        behave(socket);
      });
      await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise((resolve) => garbage.close(resolve)));
      const port = (garbage.address() as net.AddressInfo).port;
      const settings = testSettings(
        [{ ...testAccount(dovecot, 'a', 'x', 'y'), port, watchMode: mode }],
        5,
        fastLiveness,
      );
      const engine = startEngine(settings);
      cleanups.push(() => engine.supervisor.stop());
      const failures = await engine.statuses.waitForCount(
        (s) => s.state !== 'connecting',
        2,
        'two failed attempts',
      );
      for (const failure of failures) {
        expect(failure.state).toBe('backoff');
        expect(failure.detail).toMatch(detail);
      }
    },
  );
});

// Many connections of one account exist only with IDLE per mailbox (NOTIFY uses one).
describe('fault injection (many IDLE watchers)', { timeout: 60_000 }, () => {
  it('does not reconnect many watchers in lockstep', async () => {
    const proxy = await startFaultProxy(dovecot.port);
    cleanups.push(() => proxy.close());
    await proxy.setMode('refuse');
    const user = `fault${++users}`;
    dovecot.addUser(user, 'pw');
    const mailboxes = ['INBOX', ...Array.from({ length: 9 }, (_, i) => `Box${i}`)];
    const settings = testSettings(
      [
        {
          ...testAccount(dovecot, 'a', user, 'pw', mailboxes),
          port: proxy.port,
          watchMode: 'idle',
        },
      ],
      5,
      { ...fastLiveness, maxBackoffSeconds: 60 },
    );
    const engine = startEngine(settings);
    cleanups.push(() => engine.supervisor.stop());
    const first = await engine.statuses.waitForCount(
      (s) => s.state === 'backoff',
      10,
      'ten backoffs',
    );
    const delays = new Set(first.map((s) => s.detail.replace(/^.*retrying in /, '')));
    expect(delays.size).toBeGreaterThan(1);
  });
});
