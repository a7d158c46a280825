/**
 * Logging in as real servers let you, against Dovecot: a password holding `"`, `\`, `:`, a
 * space and non-ASCII, through each way imapflow picks from the capabilities (AUTHENTICATE
 * PLAIN when AUTH=PLAIN is offered, else AUTHENTICATE LOGIN for AUTH=LOGIN, else the LOGIN
 * command unless LOGINDISABLED); and a server reached over IPv6 loopback.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { startDovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  startEngine,
  testAccount,
  testSettings,
} from '../../support/engine-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import { startScriptedImapServer } from '../../support/scripted-imap-server.js';

/** Every character that LOGIN's quoting, SASL's base64 or a passwd-file line could break on. */
const PASSWORD = 'pa"ss\\wo:rd ünï€ 😀';

/** Whether this machine has an IPv6 loopback to listen on. */
const hasIpv6 = await new Promise<boolean>((resolve) => {
  const probe = net.createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});
if (!hasIpv6) console.warn('login.test.ts: no IPv6 loopback (::1) here, the IPv6 test is skipped');

let dovecot: Dovecot;
/** Offers AUTH=LOGIN only (auth_mechanisms = login). */
let saslLoginOnly: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started), { ipv6: hasIpv6 });

beforeAll(async () => {
  saslLoginOnly = await startDovecot({}, undefined, { authMechanisms: 'login' });
});
afterAll(async () => {
  await saslLoginOnly?.stop();
});

let users = 0;

/** Watches a new user with PASSWORD through a proxy that records (and may edit) the talk. */
async function loginThrough(server: Dovecot, editCapabilities?: (text: string) => string) {
  const user = `login${++users}`;
  server.addUser(user, PASSWORD);
  let sent = '';
  const proxy = await startFaultProxy(server.port, '127.0.0.1', (chunk, fromClient) => {
    if (fromClient) sent += chunk.toString('utf8');
  });
  cleanups.push(() => proxy.close());
  proxy.setServerFilter(editCapabilities);
  const settings = testSettings([
    { ...testAccount(server, 'a', user, PASSWORD), port: proxy.port },
  ]);
  const engine = startEngine(settings);
  cleanups.push(() => engine.supervisor.stop());
  const outcome = await engine.statuses.waitFor(
    (s) => !['connecting', 'syncing'].includes(s.state),
    'the login outcome',
  );
  return { outcome, sent: () => sent };
}

describe('passwords with quotes, backslashes, colons and non-ASCII', () => {
  it('logs in with AUTHENTICATE PLAIN when the server offers AUTH=PLAIN', async () => {
    const { outcome, sent } = await loginThrough(dovecot);
    expect(outcome.state).toBe('idle');
    expect(sent()).toMatch(/^\S+ AUTHENTICATE PLAIN/m);
  });

  it('logs in with AUTHENTICATE LOGIN when the server offers only AUTH=LOGIN', async () => {
    const { outcome, sent } = await loginThrough(saslLoginOnly);
    expect(outcome.state).toBe('idle');
    expect(sent()).toMatch(/^\S+ AUTHENTICATE LOGIN/m);
  });

  it('logs in with the LOGIN command when the server offers no AUTH= mechanism', async () => {
    const { outcome, sent } = await loginThrough(dovecot, (text) =>
      text.replace(/ AUTH=[^\s\]]+/g, ''),
    );
    expect(outcome.state).toBe('idle');
    expect(sent()).toMatch(/^\S+ LOGIN /m);
    expect(sent()).not.toMatch(/AUTHENTICATE/);
  });

  it('sends no password to a server that says LOGINDISABLED, and says why', async () => {
    const server = await startScriptedImapServer({ capabilities: 'IMAP4rev1 IDLE LOGINDISABLED' });
    cleanups.push(() => server.close());
    const settings = testSettings([
      {
        id: 'a',
        host: '127.0.0.1',
        port: server.port,
        tls: 'none',
        allowInsecureAuth: true,
        user: 'ann',
        password: PASSWORD,
      },
    ]);
    const engine = startEngine(settings);
    cleanups.push(() => engine.supervisor.stop());
    const outcome = await engine.statuses.waitFor(
      (s) => !['connecting', 'syncing'].includes(s.state),
      'the login outcome',
    );
    expect(outcome).toMatchObject({
      state: 'auth-failed',
      detail: 'login rejected: Login is disabled',
    });
    expect(server.commands.map((c) => c.name)).not.toContain('LOGIN');
  });
});

describe('IPv6', () => {
  it.skipIf(!hasIpv6)('watches a server at ::1 and announces its mail', async () => {
    const user = `login${++users}`;
    dovecot.addUser(user, 'pw');
    const settings = testSettings([{ ...testAccount(dovecot, 'a', user, 'pw'), host: '::1' }]);
    const engine = startEngine(settings);
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    expect(engine.statuses.items[0]?.detail).toBe(`::1:${dovecot.port}`);
    const id = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]);
    await engine.announcements.waitFor(() => true, 'the mail');
    expect(announcedIds(engine.announcements)).toEqual([id]);
    await dovecot.waitForLog(new RegExp(`Login: user=<${user}>.*rip=::1`));
  });
});
