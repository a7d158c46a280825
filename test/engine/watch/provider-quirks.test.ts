/**
 * The big providers' refusals and remarks, as their users and public bug reports quote them,
 * played by a scripted server to one watcher on the manual clock. Each test says what the user
 * sees (state and detail) and proves there is no tight loop: after a refusal the clock holds
 * exactly one timer, the backoff step, and no connection is made before it fires.
 * Sources for the wording: Gmail's `NO [ALERT] Too many simultaneous connections. (Failure)`
 * (zone-eu/wildduck#35), `[ALERT] Please log in via your web browser` (Gmail's login refusal),
 * `OK Success [THROTTLED]` (jstedfast/MailKit#1396); Exchange Online's `BAD User is
 * authenticated but not connected.` then `* BYE Connection closed. 14` (simonrob/
 * email-oauth2-proxy#74), `BAD Request is throttled. Suggested Backoff Time: N milliseconds`
 * (imapflow's own MS365 handling), `* BYE Session invalidated - AccessTokenExpired`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { TidingsError } from '../../../app/main/engine/base/errors.js';
import { ImapSession } from '../../../app/main/engine/imap/imap-session.js';
import { silentLogger, systemClock } from '../../../app/main/engine/base/ports.js';
import {
  startScriptedImapServer,
  type ImapScript,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';
import {
  MANUAL_HEARTBEAT_MS,
  quietly,
  waitUntil,
  watchOnManualClock,
  type ManualWatch,
} from '../../support/manual-watcher.js';

const HOUR_MS = 3_600_000;
const running: ManualWatch[] = [];
const servers: ScriptedImapServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((watch) => watch.stop()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function watch(script: ImapScript = {}): Promise<ManualWatch> {
  const watched = await watchOnManualClock(script);
  running.push(watched);
  return watched;
}

const isIdle = (s: WatcherStatus) => s.state === 'idle';
const isBackoff = (s: WatcherStatus) => s.state === 'backoff';

/** Answers the command `name` with `reply(tag)` the first `times` times, then as usual. */
function refuse(name: string, times: number, reply: (tag: string) => string): ImapScript {
  let left = times;
  return {
    respond(command, socket) {
      if (command.name !== name || left === 0) return false;
      left--;
      const text = reply(command.tag);
      if (text.includes('* BYE')) socket.end(text);
      else socket.write(text);
      return true;
    },
  };
}

/**
 * Runs a refusal `times` times: each time the watcher is in backoff with one timer, the step
 * (1 s, 2 s, 4 s…), and makes no connection before it fires; then it reaches idle. Returns the
 * backoff details in order.
 */
async function backoffSteps(w: ManualWatch, times: number): Promise<string[]> {
  const details: string[] = [];
  for (let step = 0; step < times; step++) {
    const refused = await w.statuses.waitForCount(isBackoff, step + 1, `refusal ${step + 1}`);
    details.push(refused[step]?.detail ?? '');
    const delay = 1_000 * 2 ** step;
    expect(w.clock.pending).toEqual([delay]);
    w.clock.advance(delay - 1);
    await quietly();
    expect(w.server.accepted).toBe(step + 1);
    w.clock.advance(1);
  }
  await w.statuses.waitFor(isIdle, 'idle after the refusals');
  expect(w.server.accepted).toBe(times + 1);
  return details;
}

describe('Gmail', () => {
  it('backs off from NO [ALERT] Too many simultaneous connections at login, as a refusal for now, not a wrong password', async () => {
    const w = await watch(
      refuse(
        'LOGIN',
        2,
        (tag) => `${tag} NO [ALERT] Too many simultaneous connections. (Failure)\r\n`,
      ),
    );
    const details = await backoffSteps(w, 2);
    expect(details).toEqual([
      'too many connections to this account: Too many simultaneous connections. (Failure); retrying in 1 s',
      'too many connections to this account: Too many simultaneous connections. (Failure); retrying in 2 s',
    ]);
    expect(w.statuses.filter((s) => s.state === 'auth-failed')).toEqual([]);
  });

  it('shows the text of NO [ALERT] Please log in via your web browser as auth-failed, and makes no attempt in an hour', async () => {
    const alert =
      'Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)';
    const w = await watch(refuse('LOGIN', 1, (tag) => `${tag} NO [ALERT] ${alert}\r\n`));
    const failed = await w.statuses.waitFor((s) => s.state === 'auth-failed', 'auth-failed');
    expect(failed.detail).toBe(`login rejected: ${alert}`);
    expect(w.clock.pending).toEqual([]);
    w.clock.advance(HOUR_MS);
    await quietly();
    expect(w.server.accepted).toBe(1);
  });

  it('backs off from NO [THROTTLED] at login (1 s, 2 s, 4 s), never auth-failed', async () => {
    const w = await watch(
      refuse('LOGIN', 3, (tag) => `${tag} NO [THROTTLED] Account exceeded command limits\r\n`),
    );
    const details = await backoffSteps(w, 3);
    expect(details).toEqual(
      [1, 2, 4].map(
        (s) => `throttled by the server: Account exceeded command limits; retrying in ${s} s`,
      ),
    );
    expect(w.statuses.filter((s) => s.state === 'auth-failed')).toEqual([]);
  });

  it('backs off from NO [THROTTLED] to SELECT without calling the mailbox missing', async () => {
    const w = await watch(
      refuse('EXAMINE', 1, (tag) => `${tag} NO [THROTTLED] Try again later\r\n`),
    );
    const details = await backoffSteps(w, 1);
    expect(details).toEqual(['throttled by the server: Try again later; retrying in 1 s']);
    expect(w.statuses.filter((s) => s.state === 'error')).toEqual([]);
  });

  it('goes on as usual when commands succeed with OK Success [THROTTLED], and logs an untagged * OK [THROTTLED]', async () => {
    const w = await watch({
      respond(command, socket) {
        if (!['SEARCH', 'UID', 'NOOP'].includes(command.name)) return false;
        const found = command.name === 'NOOP' ? '' : '* SEARCH\r\n';
        socket.write(`${found}${command.tag} OK Success [THROTTLED]\r\n`);
        return true;
      },
    });
    await w.statuses.waitFor(isIdle, 'idle');
    // The resync's searches were answered that way.
    expect(w.server.commands.filter((c) => ['SEARCH', 'UID'].includes(c.name))).not.toEqual([]);
    await waitUntil(() => w.server.commands.some((c) => c.name === 'IDLE'));
    w.server.push('* OK [THROTTLED] Slow down');
    await waitUntil(() => w.logged.some((line) => line.includes('throttling')));
    expect(w.logged).toContain(
      'warn: a/INBOX: the server is throttling this connection: Slow down',
    );
    expect(w.server.accepted).toBe(1);
    expect(w.clock.pending).toEqual([MANUAL_HEARTBEAT_MS]);
  });
});

describe('ALERT during a session (RFC 3501 §7.1: the text MUST be presented to the user)', () => {
  const alert = 'Your account will be suspended in 2 days unless you sign in on the web';

  it('logs an untagged * OK [ALERT] at warn level, keeping the connection', async () => {
    const w = await watch();
    await w.statuses.waitFor(isIdle, 'idle');
    await waitUntil(() => w.server.commands.some((c) => c.name === 'IDLE'));
    w.server.push(`* OK [ALERT] ${alert}`);
    await waitUntil(() => w.logged.some((line) => line.includes('server alert')));
    expect(w.logged.filter((line) => line.includes('server alert'))).toEqual([
      `warn: a/INBOX: server alert: ${alert}`,
    ]);
    expect(w.server.accepted).toBe(1);
  });

  // Needs the watchers to subscribe to ImapSession.onAlert (see the report to the lead).
  it('shows an ALERT sent during login in the idle detail, and logs it', async () => {
    const w = await watch({
      respond(command, socket) {
        if (command.name !== 'LOGIN') return false;
        socket.write(`* OK [ALERT] ${alert}\r\n${command.tag} OK LOGIN completed\r\n`);
        return true;
      },
    });
    const idle = await w.statuses.waitFor(isIdle, 'idle');
    expect(idle.detail).toBe(`watching, 0 unread; server alert: ${alert}`);
    expect(w.logged).toContain(`warn: a/INBOX: server alert: ${alert}`);
  });

  // Needs the watchers to subscribe to ImapSession.onAlert (see the report to the lead).
  it('shows an untagged ALERT in the status detail while the connection goes on', async () => {
    const w = await watch();
    await w.statuses.waitFor(isIdle, 'idle');
    await waitUntil(() => w.server.commands.some((c) => c.name === 'IDLE'));
    const shown = w.next((s) => s.detail.includes(alert), 'the ALERT in a status');
    w.server.push(`* OK [ALERT] ${alert}`);
    expect((await shown).detail).toBe(`watching, 0 unread; server alert: ${alert}`);
  });
});

describe('Exchange Online', () => {
  it('backs off from BAD User is authenticated but not connected (then BYE), naming the likely causes', async () => {
    const w = await watch(
      refuse(
        'EXAMINE',
        2,
        (tag) =>
          `${tag} BAD User is authenticated but not connected.\r\n* BYE Connection closed. 14\r\n`,
      ),
    );
    const details = await backoffSteps(w, 2);
    const said =
      'the server took the login but refused the session (too many connections or logins lately, or no IMAP access for this mailbox): User is authenticated but not connected.';
    expect(details).toEqual([`${said}; retrying in 1 s`, `${said}; retrying in 2 s`]);
  });

  it('backs off at once from BAD Request is throttled (Suggested Backoff Time), instead of sitting on the command', async () => {
    const w = await watch(
      refuse(
        'EXAMINE',
        1,
        (tag) => `${tag} BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds\r\n`,
      ),
    );
    const refused = await w.statuses.waitFor(isBackoff, 'the throttle');
    expect(refused.detail).toMatch(
      /^throttled by the server: Request is throttled\. Suggested Backoff Time: 92415 milliseconds; retrying in /,
    );
  });

  it("keeps the server's Suggested Backoff Time in the error (retryAfterMs) and ends the connection at once", async () => {
    const server = await startScriptedImapServer(
      refuse(
        'EXAMINE',
        1,
        (tag) => `${tag} BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds\r\n`,
      ),
    );
    servers.push(server);
    const session = await ImapSession.open({
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      user: 'ann',
      credentials: { kind: 'password', password: 'pw' },
      commandTimeoutMs: 5_000,
      socketTimeoutMs: 60_000,
      clock: systemClock,
      logger: silentLogger,
      label: 'a/INBOX',
    });
    const error: unknown = await session.select('INBOX').catch((e: unknown) => e);
    const usable = session.usable;
    await session.logout(1_000);
    expect(usable).toBe(false);
    expect(error).toBeInstanceOf(TidingsError);
    expect((error as TidingsError).code).toBe('network');
    expect((error as TidingsError).retryAfterMs).toBe(92_415);
  });

  it('sends a throttled UID FETCH once (imapflow would retry it three times), and backs off', async () => {
    const throttled = 'BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds';
    let arrived = false;
    const w = await watch({
      respond(command, socket) {
        if (command.name !== 'UID') return false;
        if (/ UID SEARCH /i.test(` ${command.line} `)) {
          socket.write(`* SEARCH${arrived ? ' 1' : ''}\r\n${command.tag} OK SEARCH completed\r\n`);
        } else socket.write(`${command.tag} ${throttled}\r\n`);
        return true;
      },
    });
    await w.statuses.waitFor(isIdle, 'idle');
    await waitUntil(() => w.server.commands.some((c) => c.name === 'IDLE'));
    arrived = true;
    w.server.push('* 1 EXISTS');
    const refused = await w.statuses.waitFor(isBackoff, 'the throttle');
    expect(refused.detail).toMatch(/^throttled by the server\b.*; retrying in /);
    const fetches = w.server.commands.filter((c) => /^\S+ UID FETCH /i.test(c.line));
    expect(fetches).toHaveLength(1);
    expect(w.server.accepted).toBe(1);
  });

  // Needs recover() to wait max(backoff step, error.retryAfterMs) (see the report to the lead).
  it('waits the Suggested Backoff Time of a throttled command before the next attempt', async () => {
    const w = await watch(
      refuse(
        'EXAMINE',
        1,
        (tag) => `${tag} BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds\r\n`,
      ),
    );
    const refused = await w.statuses.waitFor(isBackoff, 'the throttle');
    expect(refused.detail).toMatch(/; retrying in 92\.4 s$/);
    expect(w.clock.pending).toEqual([92_415]);
  });

  it('waits no longer than maxBackoffSeconds however long the server suggests', async () => {
    const w = await watch(
      refuse(
        'EXAMINE',
        1,
        (tag) =>
          `${tag} BAD Request is throttled. Suggested Backoff Time: 36000000 milliseconds\r\n`,
      ),
    );
    const refused = await w.statuses.waitFor(isBackoff, 'the throttle');
    expect(refused.detail).toMatch(/; retrying in 300 s$/);
    expect(w.clock.pending).toEqual([300_000]);
  });

  it('signs in again at once after BYE Session invalidated - AccessTokenExpired, then backs off if every new session ends the same way', async () => {
    const bye = '* BYE Session invalidated - AccessTokenExpired\r\n';
    const w = await watch(refuse('EXAMINE', 3, () => bye));
    const first = await w.statuses.waitFor(
      (s) => s.state === 'connecting' && s.detail.includes('signing in again'),
      'the immediate reconnect',
    );
    expect(first.detail).toBe(
      'server closed the connection: Session invalidated - AccessTokenExpired; signing in again',
    );
    // The second session is refused too: from now on it is backoff, 1 s then 2 s.
    const refused = await w.statuses.waitForCount(isBackoff, 1, 'the first backoff');
    expect(w.server.accepted).toBe(2);
    expect(refused[0]?.detail).toBe(
      'server closed the connection: Session invalidated - AccessTokenExpired; retrying in 1 s',
    );
    expect(w.clock.pending).toEqual([1_000]);
    w.clock.advance(1_000);
    const second = await w.statuses.waitForCount(isBackoff, 2, 'the second backoff');
    expect(second[1]?.detail).toMatch(/AccessTokenExpired; retrying in 2 s$/);
    expect(w.server.accepted).toBe(3);
    w.clock.advance(2_000);
    await w.statuses.waitFor(isIdle, 'idle');
    expect(w.server.accepted).toBe(4);
  });
});
