/**
 * Back within seconds after an outage (issue 23): while a watcher waits out its backoff, one
 * knock per server (connect, read the greeting, close) ends the wait the moment a server
 * that was not greeting greets again; a server that greets at once keeps the backoff (the
 * failure came after the greeting). On the manual clock, so "nothing happens" needs no sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { settingsSchema } from '../../../app/common/settings-schema.js';
import { passwordCredentials } from '../../../app/main/engine/base/credentials.js';
import { silentLogger } from '../../../app/main/engine/base/ports.js';
import { ConnectGate } from '../../../app/main/engine/imap/connect-gate.js';
import { createGreetingProbe } from '../../../app/main/engine/imap/greeting-probe.js';
import { Announcer } from '../../../app/main/engine/watch/announcer.js';
import { MailboxWatcher } from '../../../app/main/engine/watch/idle-watcher.js';
import {
  KNOCK_INTERVAL_MS,
  ServerReturnWatch,
  type ServerReturn,
} from '../../../app/main/engine/watch/server-return.js';
import { EventLog } from '../../support/event-log.js';
import { ManualClock } from '../../support/manual-clock.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';
import {
  startScriptedImapServer,
  type ImapScript,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

/** Lets real I/O that is already under way (it needs no timer) run to its end. */
const quietly = () => new Promise((resolve) => setTimeout(resolve, 200));

/** A probe answering from `answers` in turn (the last one again when they run out). */
function scriptedProbe(answers: boolean[]) {
  let calls = 0;
  const probe = async () => answers[Math.min(calls++, answers.length - 1)] ?? false;
  return { probe, calls: () => calls };
}

function settle<T>(promise: Promise<T>): { value: () => T | undefined } {
  let value: T | undefined;
  void promise.then((v) => (value = v));
  return { value: () => value };
}

describe('ServerReturnWatch', () => {
  it('says "was-up" when the first knock is greeted, and knocks no more', async () => {
    const clock = new ManualClock();
    const { probe, calls } = scriptedProbe([true]);
    const watch = new ServerReturnWatch(probe, clock, () => 0.5);
    expect(await watch.untilGreeted(new AbortController().signal)).toBe('was-up');
    expect(calls()).toBe(1);
    expect(clock.pending).toEqual([]);
  });

  it('says "back" at the first greeting after knocks that were not, a second apart ± a fifth', async () => {
    const clock = new ManualClock();
    const { probe, calls } = scriptedProbe([false, false, true]);
    const watch = new ServerReturnWatch(probe, clock, () => 0);
    const found = settle(watch.untilGreeted(new AbortController().signal));
    await quietly();
    expect(calls()).toBe(1);
    // random 0 is the low end of the jitter: 0.8 s.
    expect(clock.pending).toEqual([KNOCK_INTERVAL_MS * 0.8]);
    clock.advance(800);
    await quietly();
    expect(calls()).toBe(2);
    expect(found.value()).toBeUndefined();
    clock.advance(800);
    await quietly();
    expect(found.value()).toBe<ServerReturn>('back');
    expect(calls()).toBe(3);
    expect(clock.pending).toEqual([]);
  });

  it('knocks once for every watcher waiting on the server', async () => {
    const clock = new ManualClock();
    const { probe, calls } = scriptedProbe([false, true]);
    const watch = new ServerReturnWatch(probe, clock, () => 1);
    const waiters = Array.from({ length: 5 }, () =>
      settle(watch.untilGreeted(new AbortController().signal)),
    );
    await quietly();
    expect(calls()).toBe(1);
    clock.advance(1_200);
    await quietly();
    expect(calls()).toBe(2);
    expect(waiters.map((w) => w.value())).toEqual(Array(5).fill('back'));
  });

  it('says "back" to a watcher that came between knocks turned away, when the next is greeted', async () => {
    const clock = new ManualClock();
    const { probe, calls } = scriptedProbe([false, true]);
    const watch = new ServerReturnWatch(probe, clock, () => 0.5);
    const first = settle(watch.untilGreeted(new AbortController().signal));
    await quietly();
    expect(calls()).toBe(1);
    // Its own login was refused while the knocking slept; the server returns before the next.
    const later = settle(watch.untilGreeted(new AbortController().signal));
    clock.advance(KNOCK_INTERVAL_MS);
    await quietly();
    expect(calls()).toBe(2);
    expect([first.value(), later.value()]).toEqual<ServerReturn[]>(['back', 'back']);
  });

  it('says "was-up" to a watcher that comes after a new run\'s greeted knock', async () => {
    const clock = new ManualClock();
    const { probe } = scriptedProbe([false, true, true]);
    const watch = new ServerReturnWatch(probe, clock, () => 0.5);
    const first = settle(watch.untilGreeted(new AbortController().signal));
    await quietly();
    clock.advance(KNOCK_INTERVAL_MS);
    await quietly();
    expect(first.value()).toBe<ServerReturn>('back');
    // The run ended with a greeting: a failure now came after one, as at any first knock.
    expect(await watch.untilGreeted(new AbortController().signal)).toBe<ServerReturn>('was-up');
  });

  it('stops knocking once nobody waits', async () => {
    const clock = new ManualClock();
    const { probe, calls } = scriptedProbe([false]);
    const watch = new ServerReturnWatch(probe, clock, () => 0.5);
    const gaveUp = new AbortController();
    void watch.untilGreeted(gaveUp.signal);
    await quietly();
    gaveUp.abort();
    clock.advance(KNOCK_INTERVAL_MS);
    await quietly();
    expect(calls()).toBe(1);
    expect(clock.pending).toEqual([]);
    clock.advance(3_600_000);
    await quietly();
    expect(calls()).toBe(1);
  });
});

describe('createGreetingProbe', () => {
  const servers: ScriptedImapServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('is true for an OK or PREAUTH greeting, false for a BYE or a closed port, and logs nobody in', async () => {
    const script: ImapScript = {};
    const server = await startScriptedImapServer(script);
    servers.push(server);
    const probe = createGreetingProbe({
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      timeoutMs: 2_000,
    });
    expect(await probe()).toBe(true);
    script.greeting = '* PREAUTH ready';
    expect(await probe()).toBe(true);
    script.greeting = '* BYE down for maintenance';
    expect(await probe()).toBe(false);
    expect(server.commands).toEqual([]);
    const port = server.port;
    await server.close();
    servers.pop();
    const closed = createGreetingProbe({ host: '127.0.0.1', port, tls: 'none', timeoutMs: 2_000 });
    expect(await closed()).toBe(false);
  });
});

describe('a watcher in backoff', () => {
  const servers: ScriptedImapServer[] = [];
  const watchers: MailboxWatcher[] = [];
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  // A backoff of a minute from the first failure (random = 1), so only a knock can end it early.
  async function watch(script: ImapScript) {
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
        },
      ],
    });
    const [account] = settings.accounts;
    if (!account) throw new Error('no account');
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    const statuses = new EventLog<WatcherStatus>();
    const probe = createGreetingProbe({
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      timeoutMs: 2_000,
    });
    const watcher = new MailboxWatcher(account, 'INBOX', settings.liveness, {
      store,
      credentials: passwordCredentials({ getPassword: async () => 'pw' }),
      announcer: new Announcer(store, { notify: () => {} }, clock),
      clock,
      random: () => 1,
      logger: silentLogger,
      backoff: { initialMs: 60_000, maxMs: 300_000 },
      onStatus: (status) => statuses.push(status),
      isOnline: () => true,
      connectGate: new ConnectGate(4),
      serverReturn: new ServerReturnWatch(probe, clock, () => 0.5),
    });
    watchers.push(watcher);
    watcher.start();
    return { server, clock, statuses };
  }

  const isIdle = (s: WatcherStatus) => s.state === 'idle';
  const isBackoff = (s: WatcherStatus) => s.state === 'backoff';

  it('reconnects at the first greeting of a server that was not greeting, not a minute later', async () => {
    const script: ImapScript = { greeting: '* BYE down for maintenance' };
    const { server, clock, statuses } = await watch(script);
    const backoff = await statuses.waitFor(isBackoff, 'backoff');
    expect(backoff.detail).toMatch(/retrying in 60 s/);
    await quietly();
    // The login connection and one knock, both turned away.
    expect(server.accepted).toBe(2);
    script.greeting = undefined;
    clock.advance(KNOCK_INTERVAL_MS);
    await statuses.waitFor(isIdle, 'idle after the knock was greeted', 5_000);
    // A knock and one login: no command reached the server from the knocks.
    expect(server.commands.filter((c) => c.name === 'LOGIN')).toHaveLength(1);
  });

  it('keeps its backoff when the server greets: the failure came after the greeting', async () => {
    let refuse = true;
    const { server, clock, statuses } = await watch({
      respond(command, socket) {
        if (command.name !== 'LOGIN' || !refuse) return false;
        refuse = false;
        socket.write(`${command.tag} NO [UNAVAILABLE] Temporary authentication failure\r\n`);
        return true;
      },
    });
    await statuses.waitFor(isBackoff, 'backoff');
    await quietly();
    expect(server.accepted).toBe(2);
    // Greeted at the first knock: no more knocks, only the backoff's own timer.
    expect(clock.pending).toEqual([60_000]);
    clock.advance(59_000);
    await quietly();
    expect(server.accepted).toBe(2);
    clock.advance(1_000);
    await statuses.waitFor(isIdle, 'idle after the backoff', 5_000);
    expect(server.commands.filter((c) => c.name === 'LOGIN')).toHaveLength(2);
  });
});
