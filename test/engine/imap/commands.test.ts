/**
 * Our own IMAP commands over a plain fake connection (no socket): STATUS and LIST-STATUS
 * answer with the asked mailboxes' lines and pass other mailboxes' pushes on; refusals become
 * named errors.
 */
import { describe, expect, it } from 'vitest';
import type { CommandConnection } from '../../../app/main/engine/imap/commands/command-connection.js';
import { notifySet } from '../../../app/main/engine/imap/commands/notify.js';
import { statusOf } from '../../../app/main/engine/imap/commands/status.js';
import {
  batchesOf,
  listsAlone,
  MAX_NAMES_PER_COMMAND,
  statusOfMany,
} from '../../../app/main/engine/imap/commands/status-many.js';
import type { UntaggedResponse } from '../../../app/main/engine/imap/imapflow-internals.js';

const atom = (value: string) => ({ type: 'ATOM', value });
const statusLine = (name: string, uidNext: number): UntaggedResponse => ({
  command: 'STATUS',
  attributes: [{ type: 'STRING', value: name }, [atom('UIDNEXT'), atom(String(uidNext))]],
});
const listLine = (name: string, ...flags: string[]): UntaggedResponse => ({
  command: 'LIST',
  attributes: [flags.map(atom), { type: 'STRING', value: '/' }, { type: 'STRING', value: name }],
});

/** A connection whose server says `lines` while the command runs, then `outcome`. */
function connection(
  lines: UntaggedResponse[],
  outcome: 'ok' | { responseStatus: string; responseText: string },
) {
  const sent: Array<{ command: string; attributes: unknown }> = [];
  const pushed: UntaggedResponse[] = [];
  const fake: CommandConnection = {
    exec: async (command, attributes, options) => {
      sent.push({ command, attributes });
      for (const line of lines) options?.untagged?.[line.command ?? '']?.(line);
      if (outcome !== 'ok') throw Object.assign(new Error('refused'), outcome);
      return { next: () => {} };
    },
    encodeName: (path) => (path === 'Über' ? '&ANw-ber' : path),
    decodeName: (raw) => (raw === '&ANw-ber' ? 'Über' : raw),
    has: (capability) => capability === 'CONDSTORE',
    pushStatus: (untagged) => pushed.push(untagged),
    pushList: (untagged) => pushed.push(untagged),
  };
  return { fake, sent, pushed };
}

describe('STATUS', () => {
  it("answers with the asked mailbox's line and hands another mailbox's push on", async () => {
    const { fake, pushed, sent } = connection(
      [statusLine('Work', 9), statusLine('&ANw-ber', 4)],
      'ok',
    );
    await expect(statusOf(fake, 'Über')).resolves.toMatchObject({ path: 'Über', uidNext: 4 });
    expect(pushed).toEqual([statusLine('Work', 9)]);
    expect(JSON.stringify(sent[0]?.attributes)).toContain('HIGHESTMODSEQ');
  });

  it('names a mailbox the server refuses, and a missing answer', async () => {
    const refused = connection([], {
      responseStatus: 'NO',
      responseText: 'Mailbox does not exist',
    });
    await expect(statusOf(refused.fake, 'Gone')).rejects.toMatchObject({
      code: 'mailbox',
      message: 'mailbox not found: Gone (Mailbox does not exist)',
    });
    const silent = connection([], 'ok');
    await expect(statusOf(silent.fake, 'Work')).rejects.toMatchObject({ code: 'protocol' });
  });
});

describe('LIST-STATUS', () => {
  it('names every asked mailbox in one LIST and answers with their lines, passing the rest on', async () => {
    const { fake, pushed, sent } = connection(
      [
        listLine('Work'),
        statusLine('Work', 9),
        statusLine('Other', 3),
        listLine('&ANw-ber'),
        statusLine('&ANw-ber', 4),
        listLine('Work', '\\NonExistent'),
        listLine('New'),
      ],
      'ok',
    );
    const answers = await statusOfMany(fake, ['Work', 'Über', 'Gone']);
    expect([...answers.keys()]).toEqual(['Work', 'Über']);
    expect(answers.get('Über')).toMatchObject({ path: 'Über', uidNext: 4 });
    // Another mailbox's STATUS is a NOTIFY push; a deleted or created mailbox a MailboxName event.
    expect(pushed).toEqual([
      statusLine('Other', 3),
      listLine('Work', '\\NonExistent'),
      listLine('New'),
    ]);
    expect(sent).toHaveLength(1);
    const wire = JSON.stringify(sent[0]?.attributes);
    expect(sent[0]?.command).toBe('LIST');
    expect(wire).toContain('"&ANw-ber"');
    expect(wire).toContain('"RETURN"');
    expect(wire).toContain('HIGHESTMODSEQ');
  });

  it('names a refusal as a protocol error that quotes the server', async () => {
    const refused = connection([], {
      responseStatus: 'BAD',
      responseText: 'unknown RETURN option',
    });
    await expect(statusOfMany(refused.fake, ['Work'])).rejects.toMatchObject({
      code: 'protocol',
      message: 'LIST-STATUS refused: unknown RETURN option',
    });
  });

  it('asks in batches bounded in names and bytes, and never a name with a wildcard', () => {
    const names = Array.from({ length: MAX_NAMES_PER_COMMAND * 2 + 1 }, (_, i) => `Box${i}`);
    expect(batchesOf(names, (name) => name).map((batch) => batch.length)).toEqual([
      MAX_NAMES_PER_COMMAND,
      MAX_NAMES_PER_COMMAND,
      1,
    ]);
    const long = 'x'.repeat(10_000);
    expect(batchesOf(['a', long, 'b'], (name) => name)).toEqual([['a'], [long], ['b']]);
    expect(listsAlone('Projects/2026')).toBe(true);
    expect(listsAlone('50% off')).toBe(false);
    expect(listsAlone('Stars*')).toBe(false);
  });
});

describe('NOTIFY SET', () => {
  it('names the watched mailboxes as the server spells them, and a refusal as a protocol error', async () => {
    const { fake, sent } = connection([], 'ok');
    await notifySet(fake, ['INBOX', 'Über']);
    expect(JSON.stringify(sent[0]?.attributes)).toContain('"&ANw-ber"');
    const refused = connection([], {
      responseStatus: 'BAD',
      responseText: 'NOTIFY \u001b[31mnot here',
    });
    await expect(notifySet(refused.fake, ['INBOX'])).rejects.toMatchObject({
      code: 'protocol',
      message: expect.stringMatching(/^NOTIFY refused: NOTIFY .*not here$/) as string,
    });
  });
});
