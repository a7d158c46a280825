/**
 * Issue 22, item 3: what a hostile server can make Tidings hold. Each way a server can stream
 * at us — the greeting, one response line, one literal, a wait in IDLE, a FETCH that never
 * ends — is played by a model server against the real `tidings watch` in its own process, with
 * a healthy account on another server beside it. Each test bounds what the process held at its
 * peak (VmHWM: the kernel's record, whatever the garbage collector did) and wants the
 * connection ended as a protocol error that names the limit; then the server behaves, and
 * mail delivered afterwards is announced exactly once, on both accounts, the healthy one never
 * having left its wait. Without the limits (response-limits.ts), the same runs peaked at the
 * size of the attack or more, and no error came.
 */
import { mkdtempSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { flood, peakRss } from '../../support/flood.js';
import { seededRandom } from '../../support/interleaving.js';
import { newMessageId } from '../../support/messages.js';
import {
  startModelImapServer,
  type ModelImapServer,
  type ServerTurn,
} from '../../support/model-imap-server.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../support/watch-process.js';

/** What each attack sends before the client ends it (or takes it all). */
const ATTACK_BYTES = 300 * 1024 * 1024;
/**
 * The most `tidings watch` may hold at its peak, two accounts and an attack included: it idles
 * at ~95 MB here, and what it reads of an attack is cut at 8 MiB at most.
 */
const PEAK_BOUND = 200 * 1024 * 1024;
const MiB = 1024 * 1024;

const running: WatchProcess[] = [];
const servers: ModelImapServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((watch) => watch.stop()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Speaks in the hostile server's place at `turn`; true when it did. */
type Attack = (turn: ServerTurn, socket: net.Socket) => boolean;

/** The first time `name` is asked for, `answer` speaks instead of the server. */
function onFirst(name: string, answer: (socket: net.Socket) => boolean): Attack {
  let done = false;
  return (turn, socket) => {
    if (done || turn.kind !== 'command' || turn.name !== name) return false;
    done = true;
    return answer(socket);
  };
}

const attacks = {
  greeting: () => (turn, socket) => {
    if (turn.kind !== 'greeting' || turn.connection !== 1) return false;
    socket.write('* OK ');
    void flood(socket, 'A', ATTACK_BYTES);
    return true;
  },
  line: () =>
    onFirst('LOGIN', (socket) => {
      socket.write('* OK [ALERT] ');
      void flood(socket, 'B', ATTACK_BYTES);
      return true;
    }),
  literal: () =>
    onFirst('UID FETCH', (socket) => {
      socket.write(`* 1 FETCH (UID 1 FLAGS () ENVELOPE (NIL {${ATTACK_BYTES}}\r\n`);
      void flood(socket, 'C', ATTACK_BYTES);
      return true;
    }),
  // Said unasked, in IDLE, and meaning nothing: nothing ends the wait but the budget.
  wait: () =>
    onFirst('IDLE', (socket) => {
      const line = `* OK ${'still here '.repeat(100)}\r\n`;
      setImmediate(() => void flood(socket, line, ATTACK_BYTES));
      return false;
    }),
  // The message asked for, again and again, each time with a header of 256 KiB beside it.
  fetch: () =>
    onFirst('UID FETCH', (socket) => {
      const header = 256 * 1024;
      const response =
        `* 1 FETCH (UID 1 FLAGS () BODY[HEADER.FIELDS (LIST-ID)] {${header}}\r\n` +
        `${'D'.repeat(header)})\r\n`;
      void flood(socket, response, ATTACK_BYTES);
      return true;
    }),
} satisfies Record<string, () => Attack>;

function account(id: string, server: ModelImapServer) {
  return {
    id,
    host: '127.0.0.1',
    port: server.port,
    tls: 'none',
    allowInsecureAuth: true,
    user: id,
    password: 'pw',
  };
}

interface Run {
  proc: WatchProcess;
  hostile: ModelImapServer;
  healthy: ModelImapServer;
}

/**
 * `tidings watch` of a hostile and a healthy server. A 60 s deadline: only the limits, not a
 * command's deadline, may end an attack here.
 */
async function watchBoth(attack: Attack): Promise<Run> {
  const hostile = await startModelImapServer({
    mailboxes: ['INBOX'],
    random: seededRandom(1),
    notify: false,
    intercept: attack,
  });
  const healthy = await startModelImapServer({
    mailboxes: ['INBOX'],
    random: seededRandom(2),
    notify: false,
  });
  servers.push(hostile, healthy);
  const config = {
    accounts: [account('hostile', hostile), account('healthy', healthy)],
    liveness: { heartbeatSeconds: 60, commandTimeoutSeconds: 60, maxBackoffSeconds: 1 },
  };
  const proc = startWatch({
    configFile: writeConfig(config),
    stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-bounds-')),
  });
  running.push(proc);
  await proc.events.waitFor(isStatus('healthy', 'INBOX', 'idle'), 'healthy idle');
  return { proc, hostile, healthy };
}

const isNewMail = (id: string) => (e: WatchEvent) => e.event === 'new-mail' && e.messageId === id;

/**
 * Waits for the hostile connection to end with `named`, checks the peak, then proves the
 * recovery: both accounts idle, mail delivered to each announced once, the healthy account
 * never out of its wait. `pending` are Message-IDs delivered before that must come too.
 */
async function expectCutAndRecovered(run: Run, named: RegExp, pending: string[] = []) {
  const { proc, hostile, healthy } = run;
  const cut = await proc.events
    .waitFor(
      (e) => isStatus('hostile', 'INBOX', 'backoff')(e) && named.test(String(e.detail)),
      `hostile ended with ${named}`,
      20_000,
    )
    .catch((error: unknown) => error as Error);
  const peak = peakRss(proc.pid);
  expect.soft(peak, `peak RSS ${Math.round(peak / MiB)} MiB`).toBeLessThan(PEAK_BOUND);
  if (cut instanceof Error) throw cut;
  expect(cut.detail).toMatch(/; retrying in /);

  const after = proc.events.items.indexOf(cut);
  await proc.events.waitFor(
    isStatus('hostile', 'INBOX', 'idle'),
    'hostile idle again',
    15_000,
    after,
  );
  const toHostile = newMessageId();
  const toHealthy = newMessageId();
  hostile.deliver('INBOX', toHostile);
  healthy.deliver('INBOX', toHealthy);
  const expected = [...pending, toHostile, toHealthy];
  await Promise.all(expected.map((id) => proc.events.waitFor(isNewMail(id), `mail ${id}`)));
  // Anything announced twice would be on its way by now.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const announced = proc.events.filter((e) => e.event === 'new-mail').map((e) => e.messageId);
  expect(announced.sort()).toEqual(expected.sort());
  const healthyFirstIdle = proc.events.items.findIndex(isStatus('healthy', 'INBOX', 'idle'));
  const healthyTroubles = proc.events.items
    .slice(healthyFirstIdle)
    .filter((e) => e.event === 'status' && e.account === 'healthy')
    .filter((e) => e.state !== 'idle' && e.state !== 'syncing');
  expect(healthyTroubles).toEqual([]);
  expect(proc.stderr()).not.toMatch(/unexpected failure|unhandled/i);
}

describe('a hostile server is cut off at a bound, as a protocol error naming the limit', () => {
  it('a greeting that never ends', { timeout: 60_000 }, async () => {
    const run = await watchBoth(attacks.greeting());
    await expectCutAndRecovered(
      run,
      /^the server sent a response larger than the limit of 1 MiB per line/,
    );
  });

  it('one response line that never ends', { timeout: 60_000 }, async () => {
    const run = await watchBoth(attacks.line());
    await expectCutAndRecovered(
      run,
      /^the server sent a response larger than the limit of 1 MiB per line/,
    );
  });

  it('a literal of 300 MiB', { timeout: 60_000 }, async () => {
    const run = await watchBoth(attacks.literal());
    await run.proc.events.waitFor(isStatus('hostile', 'INBOX', 'idle'), 'hostile idle');
    const first = newMessageId();
    run.hostile.deliver('INBOX', first);
    await expectCutAndRecovered(
      run,
      new RegExp(
        `^the server sent a response larger than the limit of 1 MiB per literal ` +
          `\\(it announced ${ATTACK_BYTES} bytes\\)`,
      ),
      [first],
    );
  });

  it('untagged data streamed through an IDLE wait', { timeout: 60_000 }, async () => {
    const run = await watchBoth(attacks.wait());
    await expectCutAndRecovered(
      run,
      /^the server sent more than the limit of 8 MiB in one IDLE wait/,
    );
  });

  it('a FETCH that never ends', { timeout: 60_000 }, async () => {
    const run = await watchBoth(attacks.fetch());
    await run.proc.events.waitFor(isStatus('hostile', 'INBOX', 'idle'), 'hostile idle');
    const first = newMessageId();
    run.hostile.deliver('INBOX', first);
    await expectCutAndRecovered(
      run,
      /^the server sent more than the limit of 8 MiB \+ 16 KiB per message asked in answer to UID FETCH/,
      [first],
    );
  });
});
