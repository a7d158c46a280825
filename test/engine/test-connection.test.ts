/**
 * "Test connection" against a scripted server that takes its time over LOGIN: tests share a
 * `ConnectGate`, and each holds its slot from connect to LOGOUT, so a gate of one runs them
 * one at a time however fast the settings window fires them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectGate } from '../../app/main/engine/connect-gate.js';
import { testConnection } from '../../app/main/engine/test-connection.js';
import { testSettings } from '../support/engine-harness.js';
import {
  startScriptedImapServer,
  type ScriptedImapServer,
} from '../support/scripted-imap-server.js';

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

function accountFor(server: ScriptedImapServer) {
  const [account] = testSettings([
    {
      id: 'a',
      host: '127.0.0.1',
      port: server.port,
      tls: 'none',
      allowInsecureAuth: true,
      user: 'ann',
      password: 'pw',
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
