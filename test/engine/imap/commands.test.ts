/**
 * Our own IMAP commands over a plain fake connection (no socket): STATUS answers with the
 * asked mailbox's line and passes other mailboxes' pushes on; refusals become named errors.
 */
import { describe, expect, it } from 'vitest';
import type { CommandConnection } from '../../../app/main/engine/imap/commands/command-connection.js';
import { notifySet } from '../../../app/main/engine/imap/commands/notify.js';
import { statusOf } from '../../../app/main/engine/imap/commands/status.js';
import type { UntaggedResponse } from '../../../app/main/engine/imap/imapflow-internals.js';

const atom = (value: string) => ({ type: 'ATOM', value });
const statusLine = (name: string, uidNext: number): UntaggedResponse => ({
  command: 'STATUS',
  attributes: [{ type: 'STRING', value: name }, [atom('UIDNEXT'), atom(String(uidNext))]],
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
      for (const line of lines) options?.untagged?.STATUS?.(line);
      if (outcome !== 'ok') throw Object.assign(new Error('refused'), outcome);
      return { next: () => {} };
    },
    encodeName: (path) => (path === 'Über' ? '&ANw-ber' : path),
    decodeName: (raw) => (raw === '&ANw-ber' ? 'Über' : raw),
    has: (capability) => capability === 'CONDSTORE',
    pushStatus: (untagged) => pushed.push(untagged),
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
