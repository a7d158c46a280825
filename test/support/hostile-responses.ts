/**
 * What a hostile or broken server says, as fast-check arbitraries for the server fuzz suite
 * (test/engine/imap/server-fuzz.test.ts): greetings, CAPABILITY, STATUS with huge or negative
 * numbers, NOTIFY events for mailboxes nobody watches, FETCH with broken envelopes and
 * encodings, BYE and ALERT texts full of escapes, and answers that never end. Each is a turn:
 * where the server says it (its greeting, or its answer to a command), and whether before the
 * usual answer, after it, or in its place. The wire text is latin1 (one char, one byte);
 * `{TAG}` and `{UID}` stand for the command's tag and the first UID it asks for.
 *
 * Left out on purpose, as no client could tell them from the truth: what hides a message
 * (\Seen or \Deleted on it, a SEARCH naming UIDs that do not exist, a SELECT with another
 * UIDNEXT), what rightly stops a watcher (a tagged NO to LOGIN, a login that offers no IDLE or
 * NOTIFY), lines that answer our commands for us (text with a line break could carry a tag),
 * and text ending in a literal's `{n}` (the server's next answer would be read as its bytes).
 */
import fc from 'fast-check';

/** One thing the server says, where and how. */
export interface HostileTurn {
  /** What kind of input this is, for the report. */
  family: string;
  /** "greeting", or the command it answers ("UID FETCH"; "IDLE" speaks once IDLE began). */
  at: string;
  /** Before the usual answer, after it, or in its place. */
  how: 'before' | 'after' | 'instead';
  /** The wire text. */
  say: string;
  /** Then this block, again and again, for at least this many bytes: an answer that never ends. */
  flood?: { block: string; bytes: number };
  /** What the connection must end with, naming the limit, when the input breaks one. */
  named?: RegExp;
  /** Only a NOTIFY connection sends this command. */
  needsNotify?: boolean;
}

/** UTF-8 text as its bytes, one latin1 char each. */
const bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

/** What makes text hostile: escapes, bidi and invisible characters, controls, encoded words. */
const nasty = [
  '\x1b[31m',
  '\x1b]8;;https://evil.test/\x07',
  '\x1b[2J',
  '\x9b31m',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\x00',
  '\x07',
  '\x08',
  '\t',
  '\r',
  '\x7f',
  '\u2028',
  'é',
  '😀',
  '\ud800',
  '=?utf-8?b?4oCuZXhlLnBkZg==?=',
  '=?utf-8?q?=1B[31mred?=',
  '=?x-unknown?q?=FF=FE?=',
  '=?utf-8?b?!!!?=',
  '"',
  '\\',
  '(',
  ')',
  '{5}',
  '[ALERT]',
  '%',
  '*',
  ' ',
  'a',
  'Z',
];

/**
 * Hostile text without a line break, nor a literal's `{n}` at its end: a line that ends so
 * announces n bytes to come, and the server's next answer would be read as them (its own
 * doing, which no client can undo).
 */
const hostileText = (maxLength = 60) =>
  fc
    .array(fc.oneof(fc.constantFrom(...nasty), fc.string({ maxLength: 4 })), { maxLength })
    .map((parts) =>
      parts
        .join('')
        .replace(/[\n]/g, ' ')
        .replace(/\{\d*\}$/, '$& .'),
    );

/** Bytes that are not text at all (no line break, no literal's `{n}` at the end). */
const binary = fc
  .uint8Array({ maxLength: 200 })
  .map((array) => Buffer.from(array.filter((byte) => byte !== 0x0a)).toString('latin1'))
  .map((raw) => raw.replace(/\{\d*\}\r?$/, '$& .'));

/** The wire form of some hostile text: quoted, a literal, or raw 8-bit bytes in quotes. */
const stringOnWire = fc.oneof(
  hostileText().map((text) => `"${bytes(text).replace(/["\\]/g, '\\$&')}"`),
  hostileText().map((text) => {
    const wire = bytes(text);
    return `{${wire.length}}\r\n${wire}`;
  }),
  binary.map((raw) => `{${raw.length}}\r\n${raw}`),
  fc.constant('NIL'),
  fc.constant('""'),
  fc.integer().map(String),
);

/** Numbers a server should never send where one is expected. */
const badNumber = fc.oneof(
  fc.constantFrom('-1', '0', '4294967296', '99999999999999999999999', '1e400', '2.5', 'NaN'),
  fc.constantFrom('NIL', '()', '""', '-0', '007', '18446744073709551616'),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
);

const mailboxName = fc.oneof(
  fc.constantFrom('INBOX', 'Work', '"Work"', 'inbox', '"INBOX"', 'Unknown', '"&Jjo-"', '&&&-'),
  fc.constantFrom('""', 'NIL', '"Work/Sub"', '{4}\r\nWork', '"Wo\\"rk"'),
  hostileText(12).map((text) => `"${bytes(text).replace(/["\\]/g, '\\$&')}"`),
);

const capabilityAtom = fc.oneof(
  fc.constantFrom('IMAP4rev1', 'IMAP4rev2', 'IDLE', 'NOTIFY', 'AUTH=PLAIN', 'AUTH=XOAUTH2'),
  fc.constantFrom('ENABLE', 'CONDSTORE', 'QRESYNC', 'ESEARCH', 'LITERAL+', 'UTF8=ACCEPT'),
  fc.constantFrom('COMPRESS=DEFLATE', 'ID', 'SASL-IR', 'X-GM-EXT-1', '[', ']', '(', '*'),
  fc.stringMatching(/^[A-Z0-9=+-]{1,12}$/),
);
const capabilities = fc.array(capabilityAtom, { maxLength: 40 }).map((atoms) => atoms.join(' '));

const untaggedJunk = fc.oneof(
  badNumber.map((n) => `* ${n} EXISTS`),
  badNumber.map((n) => `* ${n} EXPUNGE`),
  badNumber.map((n) => `* ${n} RECENT`),
  fc.tuple(badNumber, badNumber).map(([seq, uid]) => `* ${seq} FETCH (UID ${uid} FLAGS ())`),
  fc.constantFrom('* 1 FETCH (FLAGS (\\Flagged))', '* 1 FETCH (', '* FETCH', '* 1 FETCH ()'),
  fc.constantFrom('* VANISHED (EARLIER) 1:*', '* SEARCH 0 -1 abc', '* ESEARCH (TAG "x") ALL 1:*'),
  badNumber.map((n) => `* OK [UIDVALIDITY ${n}] x`),
  badNumber.map((n) => `* OK [HIGHESTMODSEQ ${n}] x`),
  hostileText().map((text) => `* OK [ALERT] ${bytes(text)}`),
  hostileText().map((text) => `* NO [ALERT] ${bytes(text)}`),
  hostileText().map((text) => `* BAD ${bytes(text)}`),
  hostileText().map((text) => `* XJUNK ${bytes(text)}`),
  capabilities.map((caps) => `* CAPABILITY ${caps}`),
  binary.map((raw) => `* ${raw}`),
  binary,
);

/** Untagged lines, one or more, CRLF-terminated. */
const junkLines = fc
  .array(untaggedJunk, { minLength: 1, maxLength: 5 })
  .map((lines) => lines.map((line) => `${line}\r\n`).join(''));

const greeting: fc.Arbitrary<HostileTurn> = fc
  .oneof(
    fc.tuple(capabilities, hostileText()).map(([c, t]) => `* OK [CAPABILITY ${c}] ${bytes(t)}`),
    hostileText().map((text) => `* BYE ${bytes(text)}`),
    hostileText().map((text) => `* PREAUTH ${bytes(text)}`),
    hostileText().map((text) => `* NO ${bytes(text)}`),
    hostileText().map((text) => `* OK [ALERT] ${bytes(text)}`),
    fc.constantFrom('HTTP/1.1 400 Bad Request', '+OK POP3 ready', '220 smtp ready', ''),
    binary,
  )
  .map((line) => ({ family: 'greeting', at: 'greeting', how: 'instead', say: `${line}\r\n` }));

/**
 * CAPABILITY beside LOGIN's answer, or as all of it: what the server claims (ESEARCH, QRESYNC…)
 * need not be true. IDLE and NOTIFY stay claimed in the latter: without them the watcher rightly
 * stops and asks the user.
 */
const capability: fc.Arbitrary<HostileTurn> = fc
  .tuple(capabilities, fc.boolean())
  .map(([caps, instead]) =>
    instead
      ? {
          family: 'capability',
          at: 'LOGIN',
          how: 'instead',
          say: `* CAPABILITY IMAP4rev1 IDLE NOTIFY ${caps}\r\n{TAG} OK logged in\r\n`,
        }
      : { family: 'capability', at: 'LOGIN', how: 'before', say: `* CAPABILITY ${caps}\r\n` },
  );

const statusItem = fc
  .tuple(
    fc.constantFrom('MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'RECENT', 'HIGHESTMODSEQ', 'X'),
    badNumber,
  )
  .map(([key, value]) => `${key} ${value}`);

const statusPush = fc
  .tuple(mailboxName, fc.array(statusItem, { maxLength: 6 }), fc.boolean())
  .map(([name, items, broken]) => `* STATUS ${name} (${items.join(' ')}${broken ? '' : ')'}`);

const listPush = fc
  .tuple(
    fc.subarray(['\\NonExistent', '\\Noselect', '\\HasChildren', '\\Junk', 'NIL']),
    fc.constantFrom('"/"', 'NIL', '"."', '"//"'),
    mailboxName,
  )
  .map(([flags, delimiter, name]) => `* LIST (${flags.join(' ')}) ${delimiter} ${name}`);

/** What NOTIFY (RFC 5465) pushes, and anything else unasked, while the client waits. */
const pushed: fc.Arbitrary<HostileTurn> = fc
  .tuple(
    fc.array(fc.oneof(statusPush, listPush, untaggedJunk), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('IDLE', 'NOTIFY', 'STATUS', 'EXAMINE'),
  )
  .map(([lines, at]) => ({
    family: 'pushed',
    at,
    how: at === 'IDLE' || at === 'NOTIFY' ? 'after' : 'before',
    say: lines.map((line) => `${line}\r\n`).join(''),
    needsNotify: at === 'NOTIFY' || at === 'STATUS',
  }));

const address = fc.oneof(
  fc.tuple(stringOnWire, stringOnWire, stringOnWire, stringOnWire).map((a) => `(${a.join(' ')})`),
  fc.constantFrom('("Ann" NIL "ann" "example.test")', '(NIL NIL NIL NIL)', '()', '("x")'),
);
const addressList = fc.oneof(
  fc.array(address, { maxLength: 4 }).map((list) => `(${list.join('')})`),
  fc.constantFrom('NIL', '()', '"text"', '12'),
);

/** An envelope that is not one: wrong arity, wrong types, hostile strings. */
const brokenEnvelope = fc.oneof(
  fc
    .array(fc.oneof(stringOnWire, addressList), { maxLength: 12 })
    .map((fields) => `(${fields.join(' ')})`),
  fc.constantFrom('NIL', '()', '"envelope"', '((()))'),
);

/** A well-formed envelope with hostile text in it, and never the real Message-ID. */
const hostileEnvelope = fc
  .tuple(stringOnWire, stringOnWire, addressList, addressList, fc.nat(), fc.boolean())
  .map(
    ([date, subject, from, to, id, withId]) =>
      `(${date} ${subject} ${from} ${from} ${from} ${to} NIL NIL NIL ` +
      `${withId ? `"<fuzz-${id}@fuzz.invalid>"` : 'NIL'})`,
  );

const fetchItem = fc.oneof(
  brokenEnvelope.map((envelope) => `ENVELOPE ${envelope}`),
  stringOnWire.map((value) => `BODY[HEADER.FIELDS (LIST-ID)] ${value}`),
  fc.constantFrom(
    'FLAGS (\\Flagged $Junk)',
    'FLAGS NIL',
    'FLAGS ("x" 1)',
    'FLAGS',
    'X-GM-LABELS ()',
  ),
  badNumber.map((n) => `UID ${n}`),
  badNumber.map((n) => `MODSEQ (${n})`),
  fc.constantFrom('BODY[]', 'RFC822.SIZE -5', 'INTERNALDATE "yesterday"', '(', ')'),
);

/** FETCH answers for the message asked for, broken, before the real one. */
const brokenFetch: fc.Arbitrary<HostileTurn> = fc
  .array(
    fc.tuple(
      fc.constantFrom('1', '{UID}', '0', '99999'),
      fc.array(fetchItem, { maxLength: 5 }),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((responses) => ({
    family: 'broken-fetch',
    at: 'UID FETCH',
    how: 'before',
    say: responses
      .map(([seq, items, withUid]) => {
        const all = withUid ? ['UID {UID}', ...items] : items;
        return `* ${seq} FETCH (${all.join(' ')})\r\n`;
      })
      .join(''),
  }));

/** The answer to the FETCH, in its place: the message, with hostile text in its envelope. */
const hostileFetch: fc.Arbitrary<HostileTurn> = fc
  .tuple(hostileEnvelope, stringOnWire)
  .map(([envelope, listId]) => ({
    family: 'hostile-envelope',
    at: 'UID FETCH',
    how: 'instead',
    say:
      `* 1 FETCH (UID {UID} FLAGS () ENVELOPE ${envelope} ` +
      `BODY[HEADER.FIELDS (LIST-ID)] ${listId})\r\n{TAG} OK done\r\n`,
  }));

/** BYE and ALERT, with escapes, wherever they come. */
const byeOrAlert: fc.Arbitrary<HostileTurn> = fc
  .tuple(
    fc.constantFrom('BYE', 'OK [ALERT]', 'NO [ALERT]', 'OK [THROTTLED]', 'BAD'),
    hostileText(200),
    fc.constantFrom('LOGIN', 'EXAMINE', 'UID SEARCH', 'UID FETCH', 'IDLE'),
  )
  .map(([kind, text, at]) => ({
    family: 'bye-alert',
    at,
    how: at === 'IDLE' ? 'after' : 'before',
    say: `* ${kind} ${bytes(text)}\r\n`,
  }));

/** Answers that never end, each past one of the limits. */
const endless: fc.Arbitrary<HostileTurn> = fc
  .tuple(
    fc.constantFrom('line', 'literal', 'response', 'stream'),
    fc.constantFrom('greeting', 'LOGIN', 'EXAMINE', 'UID FETCH', 'IDLE'),
    fc.bigInt({ min: 1_048_577n, max: 10n ** 15n }),
  )
  .map(([kind, at, size]): HostileTurn => {
    const how = at === 'IDLE' ? 'after' : 'instead';
    // A greeting has to come first for the rest to be an answer.
    const lead = at === 'greeting' && kind !== 'line' ? '* OK ready\r\n' : '';
    const turn = { family: `endless-${kind}`, at, how } as const;
    switch (kind) {
      case 'line':
        return {
          ...turn,
          say: '* OK ',
          flood: { block: 'x'.repeat(1024), bytes: 1_200_000 },
          named: /larger than the limit of 1 MiB per line/,
        };
      case 'literal':
        return {
          ...turn,
          say: `${lead}* 1 FETCH (BODY[] {${size}}\r\n`,
          named: /larger than the limit of 1 MiB per literal/,
        };
      case 'response':
        return {
          ...turn,
          say: `${lead}* 1 FETCH (A`,
          flood: { block: ` {1000000}\r\n${'y'.repeat(1_000_000)}`, bytes: 3_000_000 },
          named: /larger than the limit of 2 MiB per response/,
        };
      default:
        return {
          ...turn,
          say: lead,
          flood: { block: `* OK ${'z'.repeat(1000)}\r\n`, bytes: 256 * 1024 * 1024 },
          named: /more than the limit of 8 MiB/,
        };
    }
  });

/** Untagged lines that mean nothing, or nonsense, among the usual answers. */
const junk: fc.Arbitrary<HostileTurn> = fc
  .tuple(junkLines, fc.constantFrom('LOGIN', 'EXAMINE', 'UID SEARCH', 'IDLE'))
  .map(([say, at]) => ({ family: 'junk', at, how: at === 'IDLE' ? 'after' : 'before', say }));

/** Every family, the costly endless answers less often. */
export const hostileTurn: fc.Arbitrary<HostileTurn> = fc.oneof(
  { arbitrary: greeting, weight: 3 },
  { arbitrary: capability, weight: 2 },
  { arbitrary: pushed, weight: 4 },
  { arbitrary: brokenFetch, weight: 4 },
  { arbitrary: hostileFetch, weight: 3 },
  { arbitrary: byeOrAlert, weight: 3 },
  { arbitrary: junk, weight: 3 },
  { arbitrary: endless, weight: 1 },
);
