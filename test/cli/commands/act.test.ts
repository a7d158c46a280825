/**
 * `tidings act` end to end (issue 24): the compiled CLI logs in to a real Dovecot with a
 * \Trash mailbox and acts on exactly the message addressed: exit 0 done, 1 refused with the
 * reason (nothing changed), 2 bad input.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import { runCli } from '../../support/run-cli.js';
import { writeConfig } from '../../support/watch-process.js';

let dovecot: Dovecot;
let users = 0;

beforeAll(async () => {
  dovecot = await startDovecot({}, undefined, { specialUse: { Trash: '\\Trash' } });
});
afterAll(async () => {
  await dovecot?.stop();
});

/** A user with two messages in INBOX; its config, INBOX's UIDVALIDITY and the Message-IDs. */
async function mailbox() {
  const user = `cli-act${++users}`;
  dovecot.addUser(user, 'pw');
  const ids = [newMessageId(), newMessageId()];
  const uidValidity = await dovecot.withClient(user, async (client) => {
    for (const messageId of ids) await client.append('INBOX', buildMessage({ messageId }));
    const status = await client.status('INBOX', { uidValidity: true });
    return String(status ? status.uidValidity : 0);
  });
  const config = writeConfig({
    accounts: [
      {
        id: 'ann',
        host: '127.0.0.1',
        port: dovecot.port,
        tls: 'none',
        allowInsecureAuth: true,
        user,
        password: 'pw',
      },
    ],
  });
  const act = (args: string[]) => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-act-state-'));
    return runCli(['act', '--config', config, '--state-dir', stateDir, ...args]);
  };
  const held = (name: string) =>
    dovecot.withClient(user, async (client) => {
      const opened = await client.mailboxOpen(name, { readOnly: true });
      const rows: string[] = [];
      if (opened.exists > 0) {
        for await (const message of client.fetch('1:*', { envelope: true, flags: true })) {
          const seen = message.flags?.has('\\Seen') ? ' seen' : '';
          rows.push(`${message.envelope?.messageId ?? '?'}${seen}`);
        }
      }
      return rows;
    });
  return { act, held, ids, uidValidity };
}

describe('tidings act', { timeout: 30_000 }, () => {
  it('marks one message as read and deletes another to the Trash, saying what it did', async () => {
    const { act, held, ids, uidValidity } = await mailbox();
    const read = await act(['ann', 'read', 'INBOX', uidValidity, '2']);
    expect([read.code, read.stdout], read.stderr).toEqual([
      0,
      'ann: INBOX UID 2: marked as read\n',
    ]);
    const deleted = await act(['--json', 'ann', 'delete', 'INBOX', uidValidity, '1']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({
      account: 'ann',
      action: 'delete',
      mailbox: 'INBOX',
      uidValidity: Number(uidValidity),
      uid: 1,
      done: true,
      text: 'moved to Trash',
    });
    expect(await held('INBOX')).toEqual([`${ids[1]} seen`]);
    expect(await held('Trash')).toEqual([ids[0]]);
  });

  it('exits 1 with the reason when the message is not the one addressed, and changes nothing', async () => {
    const { act, held, ids, uidValidity } = await mailbox();
    const stale = await act(['ann', 'delete', 'INBOX', String(Number(uidValidity) + 1), '1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      `tidings: ann: INBOX UID 1: not done: the UIDVALIDITY of INBOX is ${uidValidity}, ` +
        `not ${Number(uidValidity) + 1}: the mailbox was recreated, UID 1 may be another message now\n`,
    );
    const gone = await act(['ann', 'archive', 'INBOX', uidValidity, '7']);
    expect([gone.code, gone.stderr]).toEqual([
      1,
      'tidings: ann: INBOX UID 7: not done: no Archive on the server (none marked \\Archive): set "archiveMailbox"\n',
    ]);
    expect(await held('INBOX')).toEqual(ids);
  });

  it('exits 2 on bad input, before connecting', async () => {
    const { act } = await mailbox();
    const cases: Array<[string[], string]> = [
      [
        ['ann', 'read', 'INBOX', '1'],
        'act: give ACCOUNT_ID read|delete|archive MAILBOX UIDVALIDITY UID (4 given)',
      ],
      [['ann', 'flag', 'INBOX', '1', '1'], 'act: "flag" is not one of read, delete, archive'],
      [
        ['ann', 'read', 'INBOX', '0', '1'],
        'act: UIDVALIDITY must be a number from 1 to 4294967295, not "0"',
      ],
      [
        ['ann', 'read', 'INBOX', '1', '4294967296'],
        'act: UID must be a number from 1 to 4294967295, not "4294967296"',
      ],
      [['bob', 'read', 'INBOX', '1', '1'], 'no account "bob" (accounts: ann)'],
    ];
    for (const [args, message] of cases) {
      const run = await act(args);
      expect([run.code, run.stderr.includes(message)], run.stderr).toEqual([2, true]);
    }
  });
});
