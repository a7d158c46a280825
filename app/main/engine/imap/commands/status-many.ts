/**
 * STATUS of many mailboxes in one round trip: LIST with a pattern per mailbox and
 * `RETURN (STATUS (…))` (LIST-STATUS, RFC 5819, over LIST-EXTENDED's pattern list, RFC 5258
 * §3). imapflow (2.10.2) has one command in flight at a time (`trySend` in imap-flow.js waits for
 * `currentRequest`), so STATUS commands cannot be pipelined through it; one LIST-STATUS asks
 * them all at once on the servers that offer it (Dovecot, Cyrus). A poll of 20 mailboxes is
 * then one round trip instead of 20, and the heartbeat's sweep one command per account.
 *
 * Only the asked mailboxes' lines answer; an untagged STATUS of another mailbox (a NOTIFY push
 * that came meanwhile) goes on to the NOTIFY listeners, and so does a LIST line that is not an
 * asked mailbox being there (NOTIFY's MailboxName event). A mailbox the server does not list
 * is left out of the answer: the caller asks its own STATUS, whose NO names the problem.
 */
import { TidingsError } from '../../base/index.js';
import { refusalOf } from '../command-refusal.js';
import type { UntaggedResponse } from '../imapflow-internals.js';
import { samePath, type MailboxStatus } from '../mailbox-status.js';
import { nameOf, parseStatus } from '../untagged.js';
import type { CommandConnection } from './command-connection.js';
import { statusItems } from './status.js';

/**
 * How many mailboxes, and how many bytes of their names, one LIST-STATUS names: a command line
 * well under what servers take (Dovecot's imap_max_line_length is 64 KiB, RFC 7162 §4 asks
 * clients for at most 8,192 octets).
 */
export const MAX_NAMES_PER_COMMAND = 200;
const MAX_NAME_BYTES_PER_COMMAND = 6_000;

/** Whether the server can answer `statusOfMany` (LIST-STATUS and LIST-EXTENDED). */
export function canAskMany(connection: Pick<CommandConnection, 'has'>): boolean {
  return connection.has('LIST-STATUS') && connection.has('LIST-EXTENDED');
}

/**
 * Whether `encoded` can be a LIST pattern that matches that mailbox alone: `*` and `%` are
 * wildcards there (RFC 3501 §6.3.8), with no way to quote them.
 */
export function listsAlone(encoded: string): boolean {
  return !encoded.includes('*') && !encoded.includes('%');
}

/**
 * Splits `paths` into the commands that ask them: at most MAX_NAMES_PER_COMMAND names and
 * MAX_NAME_BYTES_PER_COMMAND bytes each (a longer name goes alone).
 */
export function batchesOf(paths: readonly string[], encode: (path: string) => string): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const path of paths) {
    const size = Buffer.byteLength(encode(path));
    if (
      batch.length > 0 &&
      (batch.length >= MAX_NAMES_PER_COMMAND || bytes + size > MAX_NAME_BYTES_PER_COMMAND)
    ) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(path);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Asks the STATUS of every one of `paths` in one LIST-STATUS (see `batchesOf` for the caller's
 * share); the answer holds the mailboxes the server listed. A NO or BAD is a protocol error
 * that quotes the server.
 */
export async function statusOfMany(
  connection: CommandConnection,
  paths: readonly string[],
): Promise<Map<string, MailboxStatus>> {
  const asked = new Map<string, string>();
  for (const path of paths) asked.set(connection.encodeName(path), path);
  const answers = new Map<string, MailboxStatus>();
  const askedPath = (raw: string, decoded: string): string | undefined =>
    asked.get(raw) ?? paths.find((path) => samePath(path, decoded));
  const onStatus = (untagged: UntaggedResponse) => {
    const status = parseStatus(untagged.attributes, (raw) => connection.decodeName(raw));
    const path = status ? askedPath(status.rawPath ?? '', status.path) : undefined;
    if (status && path !== undefined) answers.set(path, { ...status, path });
    else connection.pushStatus(untagged);
  };
  const onList = (untagged: UntaggedResponse) => {
    const [flags, , name] = untagged.attributes ?? [];
    const raw = nameOf(name);
    const gone =
      Array.isArray(flags) &&
      flags.some(
        (flag) => String((flag as { value?: unknown }).value).toLowerCase() === '\\nonexistent',
      );
    // An asked mailbox listed as there is this command's answer; anything else is news.
    if (raw !== undefined && !gone && askedPath(raw, connection.decodeName(raw)) !== undefined) {
      return;
    }
    connection.pushList(untagged);
  };
  const patterns = [...asked.keys()].map((value) => ({ type: 'STRING', value }));
  const items = statusItems(connection).map((value) => ({ type: 'ATOM', value }));
  const response = await connection
    .exec(
      'LIST',
      [
        { type: 'STRING', value: '' },
        patterns,
        { type: 'ATOM', value: 'RETURN' },
        [{ type: 'ATOM', value: 'STATUS' }, items],
      ],
      { untagged: { STATUS: onStatus, LIST: onList }, answersOwnStatus: true },
    )
    .catch((error: unknown) => {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      throw new TidingsError('protocol', `LIST-STATUS refused: ${refusal.reason}`, {
        cause: error,
      });
    });
  response.next();
  return answers;
}
