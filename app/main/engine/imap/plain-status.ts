/**
 * Reads the common shape of an untagged STATUS, `* STATUS name (KEY n KEY n …)`, into the
 * tokens imapflow's parser would make of it, without that parser. NOTIFY SET STATUS answers
 * with one such line per watched mailbox, and each push at rest is one: at 20 accounts of 50
 * mailboxes, imapflow's general parser (async, a token at a time) took about 75 ms of a
 * restart's main thread for them (bench/RESULTS.md, issue 23). Only a line that is plainly
 * this shape is read here (printable ASCII; the name an atom without `[`, `]`, `%`, `*` or
 * NIL, or a quoted string with at most `\"` and `\\` escaped; numbers as digits); anything
 * else, literals included, is left to imapflow. test/engine/imap/plain-status.test.ts holds
 * the two parsers to the same tokens.
 */

/** A token as imapflow's parser gives it. */
export interface StatusToken {
  type: 'ATOM' | 'STRING';
  value: string;
}

const PLAIN_STATUS =
  /^\* STATUS (?:"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"|([\x21\x23\x24\x26\x27\x2b-\x5a\x5e-\x7a\x7c\x7e]+)) \(((?:[A-Za-z][A-Za-z0-9-]* \d{1,20})(?: [A-Za-z][A-Za-z0-9-]* \d{1,20})*)?\)$/;

// Longer lines go the general way: a plain STATUS of five items is under 200 bytes.
const MAX_PLAIN_BYTES = 1024;

/** The attributes of a plain untagged STATUS line (its name, then its list), or undefined. */
export function plainStatusAttributes(payload: Buffer): [StatusToken, StatusToken[]] | undefined {
  if (payload.length > MAX_PLAIN_BYTES || payload.length < 12) return undefined;
  // "* STATUS " before anything else: most responses are not one.
  if (payload[0] !== 0x2a || payload[2] !== 0x53 || payload[3] !== 0x54) return undefined;
  const match = PLAIN_STATUS.exec(payload.toString('latin1'));
  if (!match) return undefined;
  const [, quoted, atom, items] = match;
  let name: StatusToken;
  if (quoted !== undefined) {
    name = { type: 'STRING', value: quoted.replace(/\\(["\\])/g, '$1') };
  } else if (atom !== undefined && atom.toUpperCase() !== 'NIL') {
    name = { type: 'ATOM', value: atom };
  } else {
    return undefined;
  }
  const list: StatusToken[] = items
    ? items.split(' ').map((value) => ({ type: 'ATOM', value }))
    : [];
  return [name, list];
}
