/**
 * "Test connection": against a scripted server that takes its time over LOGIN, tests share a
 * `ConnectGate`, and each holds its slot from connect to LOGOUT, so a gate of one runs them
 * one at a time however fast the settings window fires them. Against real endpoints, each
 * way to fail comes back as its code and a message naming it: DNS, a refused port, an
 * untrusted certificate (with its fingerprint), a wrong password.
 */
import dns from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectGate } from '../../../app/main/engine/imap/connect-gate.js';
import { testConnection } from '../../../app/main/engine/check/test-connection.js';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { testSettings } from '../../support/engine-harness.js';
import { freePort } from '../../support/net.js';
import {
  startScriptedImapServer,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

const servers: ScriptedImapServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server whose LOGIN answers after `ms`. */
async function slowLoginServer(ms: number): Promise<ScriptedImapServer> {
  const server = await startScriptedImapServer({
    respond(command, socket) {
      if (command.name !== 'LOGIN') return false;
      setTimeout(() => socket.write(`${command.tag} OK LOGIN completed\r\n`), ms);
      return true;
    },
  });
  servers.push(server);
  return server;
}

function accountFor(server: Pick<ScriptedImapServer, 'port'>, extra: Record<string, unknown> = {}) {
  const [account] = testSettings([
    {
      id: 'a',
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      allowInsecureAuth: true,
      user: 'ann',
      password: 'pw',
      ...extra,
    },
  ]).accounts;
  if (!account) throw new Error('no account');
  return account;
}

describe('testConnection', () => {
  it.each([
    [1, 1],
    [2, 2],
  ])('runs at most as many tests at once as its gate has slots (%i)', async (slots, most) => {
    const server = await slowLoginServer(300);
    const gate = new ConnectGate(slots);
    const account = accountFor(server);
    const results = await Promise.all(
      [1, 2].map(() => testConnection(account, 'pw', { commandTimeoutMs: 3_000, gate })),
    );
    expect(results).toEqual([
      { ok: true, mailboxes: ['INBOX'] },
      { ok: true, mailboxes: ['INBOX'] },
    ]);
    expect(server.accepted).toBe(2);
    expect(server.maxConcurrent).toBe(most);
  });

  it('gives the slot back after a failed test', async () => {
    const gate = new ConnectGate(1);
    const server = await slowLoginServer(0);
    await server.close();
    const failed = await testConnection(accountFor(server), 'pw', {
      commandTimeoutMs: 1_000,
      gate,
    });
    expect(failed).toMatchObject({ ok: false, code: 'network' });
    const release = await Promise.race([
      gate.acquire(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('slot kept')), 500)),
    ]);
    release();
  });
});

describe('testConnection failures against real endpoints', () => {
  let certs: TestCertificates;
  let dovecot: Dovecot;
  beforeAll(async () => {
    certs = makeTestCertificates();
    dovecot = await startDovecot({ ann: 'right' }, { cert: certs.good.cert, key: certs.good.key });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  const test = (account: ReturnType<typeof accountFor>, password = 'pw') =>
    testConnection(account, password, { commandTimeoutMs: 3_000, gate: new ConnectGate(1) });

  it('names a host that does not exist (RFC 2606 .invalid) at once, asking no DNS server', async () => {
    const lookup = vi.spyOn(dns, 'lookup');
    try {
      const started = Date.now();
      const result = await test(accountFor({ port: 143 }, { host: 'imap.tidings.invalid' }));
      expect(result).toEqual({ ok: false, code: 'network', message: 'host name not found (DNS)' });
      expect(Date.now() - started).toBeLessThan(500);
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
    }
  });

  it('names a refused port', async () => {
    const result = await test(accountFor({ port: await freePort() }));
    expect(result).toEqual({ ok: false, code: 'network', message: 'connection refused' });
  });

  it('names an untrusted certificate by its SHA-256 fingerprint', async () => {
    const result = await test(accountFor({ port: dovecot.tlsPort }, { tls: 'implicit' }), 'right');
    expect(result).toMatchObject({ ok: false, code: 'tls' });
    expect(!result.ok && result.message).toMatch(/^TLS failed: .*certificate/);
    expect(!result.ok && result.message).toContain(`SHA-256 ${certs.good.fingerprint256}`);
  });

  it('names a wrong password as a rejected login', async () => {
    const result = await test(accountFor(dovecot), 'wrong');
    expect(result).toMatchObject({ ok: false, code: 'auth' });
    expect(!result.ok && result.message).toMatch(/^login rejected: .*Authentication failed/);
  });

  it('lists the mailboxes with the right password, over TLS with the CA trusted', async () => {
    const result = await test(
      accountFor({ port: dovecot.tlsPort }, { tls: 'implicit', caFile: certs.caFile }),
      'right',
    );
    expect(result).toEqual({ ok: true, mailboxes: ['INBOX'] });
  });
});
