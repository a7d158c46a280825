/**
 * What a server offers is what it said by the end of login (imapflow-patches.ts,
 * `keepLoginCapabilities`): found by the server fuzz suite, where an untagged `* CAPABILITY`
 * with no IDLE in it, sent beside a SEARCH, had imapflow poll with NOOP in place of IDLE, and
 * mail that came next went unseen until the heartbeat.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, systemClock } from '../../../app/main/engine/base/ports.js';
import { ImapSession } from '../../../app/main/engine/imap/imap-session.js';
import { waitUntil } from '../../support/manual-watcher.js';
import {
  startScriptedImapServer,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

let server: ScriptedImapServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('a session', () => {
  it('keeps the capabilities of its login when the server lists others later, and still IDLEs', async () => {
    server = await startScriptedImapServer({
      capabilities: 'IMAP4rev1 IDLE NOTIFY',
      respond(command, socket) {
        if (command.name !== 'NOOP') return false;
        socket.write(
          '* CAPABILITY IMAP4rev1\r\n' +
            '* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] changed my mind\r\n' +
            `${command.tag} OK [CAPABILITY IMAP4rev1] NOOP done\r\n`,
        );
        return true;
      },
    });
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
    await session.select('INBOX');
    await session.noop();
    expect([session.has('IDLE'), session.has('NOTIFY')]).toEqual([true, true]);
    const idled = session.enterIdle();
    const commands = server.commands;
    await waitUntil(() => commands.some((command) => command.name === 'IDLE'), 2_000);
    await session.leaveIdle();
    await idled;
    await session.logout(1_000);
  });
});
