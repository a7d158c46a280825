/**
 * `MailboxWatcher` on the manual clock: the connection is real (a scripted server on
 * loopback), but heartbeats, deadlines and backoff move only when the test advances the
 * clock. So "nothing happens" is proven without sleeping: the clock holds no timer that
 * could start an attempt, and advancing it by an hour starts none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { settingsSchema } from '../../../app/common/settings-schema.js';
import { Announcer } from '../../../app/main/engine/watch/announcer.js';
import { ConnectGate } from '../../../app/main/engine/imap/connect-gate.js';
import { passwordCredentials } from '../../../app/main/engine/base/credentials.js';
import { MailboxWatcher } from '../../../app/main/engine/watch/idle-watcher.js';
import { silentLogger } from '../../../app/main/engine/base/ports.js';
import { EventLog } from '../../support/event-log.js';
import { ManualClock } from '../../support/manual-clock.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';
import {
  startScriptedImapServer,
  type ImapScript,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

const HEARTBEAT_MS = 300_000;
const DEADLINE_MS = 15_000;
const HOUR_MS = 3_600_000;

const servers: ScriptedImapServer[] = [];
const watchers: MailboxWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Watched {
  watcher: MailboxWatcher;
  server: ScriptedImapServer;
  clock: ManualClock;
  statuses: EventLog<WatcherStatus>;
  /** Flips what the watcher's `isOnline` answers. */
  network: { online: boolean };
  /** Resolves with the next status (from now on) matching `predicate`. */
  next(predicate: (status: WatcherStatus) => boolean, what: string): Promise<WatcherStatus>;
  /** Details of the statuses since index `from`, as "state: detail". */
  since(from: number): string[];
}

/** Starts a scripted server and a watcher of its INBOX with backoff 1 s · 2ⁿ (random = 1). */
async function watch(script: ImapScript = {}, account: Record<string, unknown> = {}) {
  const server = await startScriptedImapServer(script);
  servers.push(server);
  const settings = settingsSchema.parse({
    accounts: [
      {
        id: 'a',
        host: '127.0.0.1',
        port: server.port,
        tls: 'none',
        allowInsecureAuth: true,
        user: 'ann',
        password: 'pw',
        ...account,
      },
    ],
    liveness: { heartbeatSeconds: HEARTBEAT_MS / 1000, commandTimeoutSeconds: DEADLINE_MS / 1000 },
  });
  const [settingsAccount] = settings.accounts;
  if (!settingsAccount) throw new Error('no account');
  const clock = new ManualClock();
  const store = new MemoryStateStore();
  const statuses = new EventLog<WatcherStatus>();
  const network = { online: true };
  const watcher = new MailboxWatcher(settingsAccount, 'INBOX', settings.liveness, {
    store,
    credentials: passwordCredentials({ getPassword: async () => 'pw' }),
    announcer: new Announcer(store, { notify: () => {} }, clock),
    clock,
    random: () => 1,
    logger: silentLogger,
    backoff: { initialMs: 1_000, maxMs: 300_000 },
    onStatus: (status) => statuses.push(status),
    isOnline: () => network.online,
    connectGate: new ConnectGate(4),
  });
  watchers.push(watcher);
  watcher.start();
  const watched: Watched = {
    watcher,
    server,
    clock,
    statuses,
    network,
    next: (predicate, what) => statuses.waitFor(predicate, what, 5_000, statuses.items.length),
    since: (from) => statuses.items.slice(from).map((s) => `${s.state}: ${s.detail}`),
  };
  return watched;
}

const isIdle = (s: WatcherStatus) => s.state === 'idle';

/** Lets real I/O that is already under way (it needs no timer) run to its end. */
const quietly = () => new Promise((resolve) => setTimeout(resolve, 200));

/** Answers LOGIN with `reply` (given the tag) for the first `times` logins, then with OK. */
function loginReplies(times: number, reply: (tag: string) => string): ImapScript {
  let left = times;
  return {
    respond(command, socket) {
      if (command.name !== 'LOGIN' || left === 0) return false;
      left--;
      socket.write(reply(command.tag));
      return true;
    },
  };
}

const unavailable = (tag: string) => `${tag} NO [UNAVAILABLE] Temporary authentication failure\r\n`;

describe('MailboxWatcher heartbeat', () => {
  it('ends IDLE with DONE each heartbeat and idles again on the same connection', async () => {
    const { server, clock, statuses } = await watch();
    await statuses.waitFor(isIdle, 'idle');
    const from = statuses.items.length;
    const idles = () => server.commands.filter((c) => c.name === 'IDLE').length;
    for (let beat = 1; beat <= 3; beat++) {
      await waitUntil(() => idles() === beat);
      // In IDLE, the heartbeat is the one timer.
      expect(clock.pending).toEqual([HEARTBEAT_MS]);
      clock.advance(HEARTBEAT_MS);
    }
    await waitUntil(() => idles() === 4);
    expect(server.commands.filter((c) => c.name === 'DONE')).toHaveLength(3);
    expect(server.accepted).toBe(1);
    expect(statuses.items.slice(from)).toEqual([]);
  });

  it('takes a DONE left unanswered past the command deadline for a dead connection', async () => {
    let swallow = false;
    const { server, clock, statuses, next } = await watch({
      respond: (command) => swallow && command.name === 'DONE',
    });
    await statuses.waitFor(isIdle, 'idle');
    await waitUntil(() => server.commands.some((c) => c.name === 'IDLE'));
    swallow = true;
    const from = statuses.items.length;
    clock.advance(HEARTBEAT_MS);
    await waitUntil(() => server.commands.some((c) => c.name === 'DONE'));
    clock.advance(DEADLINE_MS - 1);
    await quietly();
    expect(statuses.items.slice(from)).toEqual([]);
    const dead = next((s) => s.state === 'backoff', 'the missed deadline');
    clock.advance(1);
    expect((await dead).detail).toBe('DONE got no answer within 15 s; retrying in 1 s');
  });
});

describe('MailboxWatcher backoff', () => {
  it('retries a login refused with [UNAVAILABLE] (RFC 5530) after 1 s, then 2 s, then connects', async () => {
    const { server, clock, statuses, next, since } = await watch(loginReplies(2, unavailable));
    await statuses.waitFor((s) => s.state === 'backoff', 'the first refusal');
    expect(clock.pending).toEqual([1_000]);
    clock.advance(999);
    await quietly();
    expect(server.accepted).toBe(1);
    const second = next((s) => s.state === 'backoff', 'the second refusal');
    clock.advance(1);
    await second;
    const connected = next(isIdle, 'idle');
    clock.advance(2_000);
    await connected;
    expect(server.accepted).toBe(3);
    expect(since(0).filter((line) => line.startsWith('backoff'))).toEqual([
      'backoff: server busy: Temporary authentication failure; retrying in 1 s',
      'backoff: server busy: Temporary authentication failure; retrying in 2 s',
    ]);
  });

  it.each([
    [59_999, 'retrying in 8 s'],
    [60_000, 'retrying in 1 s'],
  ])(
    'after a connection that lived %i ms, the next failure is %s (healthy for 60 s resets the backoff)',
    async (lived, expected) => {
      const { server, clock, statuses, next } = await watch(loginReplies(3, unavailable));
      for (const delay of [1_000, 2_000, 4_000]) {
        const failed = await next((s) => s.state === 'backoff', 'a refusal');
        expect(failed.detail).toMatch(new RegExp(`retrying in ${delay / 1000} s$`));
        clock.advance(delay);
      }
      await statuses.waitFor(isIdle, 'idle');
      await waitUntil(() => server.commands.some((c) => c.name === 'IDLE'));
      expect(clock.pending).toEqual([HEARTBEAT_MS]);
      clock.advance(lived);
      const dropped = next((s) => s.state === 'backoff', 'the dropped connection');
      server.dropAll();
      expect((await dropped).detail).toMatch(new RegExp(`; ${expected}$`));
    },
  );
});

describe('MailboxWatcher waiting for the user', () => {
  it.each<[string, ImapScript, Record<string, unknown>, string]>([
    [
      'tls-error',
      { capabilities: 'IMAP4rev1 IDLE' },
      { tls: 'starttls', allowInsecureAuth: false },
      'tls-error',
    ],
    [
      'auth-failed',
      loginReplies(Infinity, (tag) => `${tag} NO [AUTHENTICATIONFAILED] Authentication failed\r\n`),
      {},
      'auth-failed',
    ],
  ])(
    'after %s, makes no attempt however long it waits, until retry or refresh',
    async (_n, script, account, state) => {
      const { watcher, server, clock, statuses, next } = await watch(script, account);
      await statuses.waitFor((s) => s.state === state, state);
      await quietly();
      const accepted = server.accepted;
      const attempts = () => statuses.filter((s) => s.state === 'connecting').length;
      expect(attempts()).toBe(1);
      // No timer at all: nothing can wake the watcher but the user (or a stop).
      expect(clock.pending).toEqual([]);
      clock.advance(HOUR_MS);
      watcher.wake('resume');
      watcher.wake('network-changed');
      await quietly();
      expect(server.accepted).toBe(accepted);
      expect(attempts()).toBe(1);

      for (const reason of ['retry', 'refresh'] as const) {
        const again = next((s) => s.state === state, `${state} after ${reason}`);
        watcher.wake(reason);
        await again;
      }
      expect(attempts()).toBe(3);
      expect(server.accepted).toBe(3 * accepted);
    },
  );
});

describe('MailboxWatcher offline', () => {
  it('keeps trying a server on loopback while the machine is offline (a local mail bridge)', async () => {
    const { server, clock, statuses, network, next } = await watch(
      loginReplies(Infinity, unavailable),
    );
    network.online = false;
    const first = await statuses.waitFor((s) => s.state !== 'connecting', 'the first outcome');
    expect(first.state).toBe('backoff');
    const second = next((s) => s.state === 'backoff', 'the second attempt');
    clock.advance(1_000);
    await second;
    expect(server.accepted).toBe(2);
  });

  it('waits in offline for a remote server, without a retry loop, until the network changes', async () => {
    const { watcher, clock, statuses, network, next } = await watch(
      {},
      { host: 'imap.tidings.invalid' },
    );
    network.online = false;
    const offline = await statuses.waitFor((s) => s.state === 'offline', 'offline');
    expect(offline.detail).toMatch(/^no network \(host name not found/);
    expect(clock.pending).toEqual([]);
    clock.advance(HOUR_MS);
    await quietly();
    const attempts = () => statuses.filter((s) => s.state === 'connecting').length;
    expect(attempts()).toBe(1);

    network.online = true;
    const online = next((s) => s.state === 'backoff', 'a failure while online');
    watcher.wake('network-changed');
    expect((await online).detail).toMatch(/^host name not found .*retrying in/);
    expect(attempts()).toBe(2);
  });

  it('logs out on suspend and makes no attempt until resume, then reconnects', async () => {
    const { watcher, server, clock, statuses, next, since } = await watch();
    await statuses.waitFor(isIdle, 'idle');
    const from = statuses.items.length;
    const asleep = next((s) => s.state === 'offline', 'asleep');
    watcher.wake('suspend');
    expect((await asleep).detail).toBe('system asleep');
    await waitUntil(() => server.commands.some((c) => c.name === 'LOGOUT'));
    expect(clock.pending).toEqual([]);
    clock.advance(HOUR_MS);
    await quietly();
    expect(server.accepted).toBe(1);
    expect(since(from)).toEqual(['offline: system asleep']);

    const awake = next(isIdle, 'idle after resume');
    watcher.wake('resume');
    await awake;
    expect(server.accepted).toBe(2);
  });
});

describe('MailboxWatcher triggers', () => {
  it('on resume, probes a live connection and resyncs without reconnecting', async () => {
    const { watcher, server, statuses, since } = await watch();
    await statuses.waitFor(isIdle, 'idle');
    const from = statuses.items.length;
    watcher.wake('resume');
    await statuses.waitFor(isIdle, 'idle again', 5_000, from);
    expect(since(from)).toEqual(['syncing: resume from sleep', 'idle: watching, 0 unread']);
    expect(server.accepted).toBe(1);
  });
});

/** Polls `condition` (real time, briefly): for I/O the test cannot await directly. */
async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
