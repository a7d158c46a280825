/**
 * NOTIFY SET STATUS (RFC 5465) for `mailboxes`: MessageNew, MessageExpunge and FlagChange
 * (and MailboxName, see the session's `onMailboxListed`), for the selected mailbox as EXISTS /
 * EXPUNGE / FETCH, for the others as untagged STATUS; STATUS first sends every listed
 * mailbox's status at once. imapflow (2.10.2) has no NOTIFY: the command goes through its `exec`
 * (attributes as its compiler takes them, nested arrays for lists).
 */
import { TidingsError } from '../../base/index.js';
import { refusalOf } from '../command-refusal.js';
import type { CommandConnection } from './command-connection.js';

const atom = (value: string) => ({ type: 'ATOM', value });

/**
 * Sends NOTIFY SET for `mailboxes`, or for `personal` (every mailbox of the user's own
 * namespace, those created later included: `"mailboxes": "all"`); a NO or BAD is a protocol
 * error that quotes the server.
 */
export async function notifySet(
  connection: CommandConnection,
  mailboxes: readonly string[] | 'personal',
): Promise<void> {
  const events = [atom('MessageNew'), atom('MessageExpunge'), atom('FlagChange')];
  const listEvents = [...events, atom('MailboxName')];
  const filter =
    mailboxes === 'personal'
      ? [atom('personal'), listEvents]
      : [
          atom('mailboxes'),
          mailboxes.map((path) => ({ type: 'STRING', value: connection.encodeName(path) })),
          listEvents,
        ];
  const attributes = [atom('SET'), atom('STATUS'), [atom('selected'), events], filter];
  const response = await connection.exec('NOTIFY', attributes).catch((error: unknown) => {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    throw new TidingsError('protocol', `NOTIFY refused: ${refusal.reason}`, { cause: error });
  });
  response.next();
}
