/**
 * A message that comes in two FETCH responses is one message (imap/fetched-messages.ts): found
 * by the server fuzz suite, where `* 1 FETCH (UID 1)` before the real answer had the message
 * announced twice, once with no envelope at all.
 */
import type { FetchMessageObject } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, systemClock } from '../../../app/main/engine/base/ports.js';
import { fetchedInRange } from '../../../app/main/engine/imap/fetched-messages.js';
import { ImapSession } from '../../../app/main/engine/imap/imap-session.js';
import {
  startScriptedImapServer,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

let server: ScriptedImapServer | undefined;
afterEach(async () => {
  await server?.close();
});

const envelope =
  '("Sun, 06 Dec 2026 10:00:00 +0000" "Hello" (("Ann" NIL "ann" "example.test")) ' +
  '(("Ann" NIL "ann" "example.test")) (("Ann" NIL "ann" "example.test")) ' +
  '((NIL NIL "me" "example.test")) NIL NIL NIL "<hello@example.test>")';

describe('fetchedInRange', () => {
  it('merges the answers of one UID, a later value over an earlier one, and keeps their order', () => {
    const answers = [
      { seq: 1, uid: 7, flags: new Set(['\\Flagged']) },
      { seq: 2, uid: 8, flags: new Set<string>() },
      { seq: 1, uid: 7, flags: new Set<string>(), envelope: { subject: 'Hello' } },
      { seq: 1, uid: 7, envelope: undefined },
    ] as FetchMessageObject[];
    expect(fetchedInRange(answers, 7, 8)).toEqual([
      { seq: 1, uid: 7, flags: new Set(), envelope: { subject: 'Hello' } },
      { seq: 2, uid: 8, flags: new Set() },
    ]);
  });

  it('leaves out UIDs outside the range asked for, and answers with no UID', () => {
    const answers = [{ seq: 1, uid: 3 }, { seq: 2 }, { seq: 3, uid: 9 }] as FetchMessageObject[];
    expect(fetchedInRange(answers, 4, 8)).toEqual([]);
  });
});

describe('ImapSession.fetchRange', () => {
  it('gives one message for a UID the server answers twice (a FLAGS update, then the data)', async () => {
    server = await startScriptedImapServer({
      respond(command, socket) {
        if (!/^\S+ UID FETCH /i.test(command.line)) return false;
        socket.write(
          `* 1 FETCH (UID 1 FLAGS ())\r\n` +
            `* 1 FETCH (UID 1 FLAGS () ENVELOPE ${envelope})\r\n` +
            `${command.tag} OK done\r\n`,
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
    const messages = await session.fetchRange(1, 1, 1);
    await session.logout(1_000);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.envelope?.messageId).toBe('<hello@example.test>');
  });
});
