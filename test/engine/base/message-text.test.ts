/**
 * Sender and subject as real mail spells them, through a real Dovecot's ENVELOPE: RFC 2047
 * encoded words in a legacy charset, headers folded over several lines, raw 8-bit Latin-1
 * that no header should hold but old mailers still send, and subjects beyond the length
 * limit. What reaches the announcement is decoded, on one line, and cut with "…".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Announcement } from '../../../app/main/engine/base/announcement.js';
import { MAX_SUBJECT_LENGTH } from '../../../app/main/engine/base/sanitize-text.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { buildMessage } from '../../support/messages.js';

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

/** Each case: what it shows, the raw message, and the subject and sender announced. */
const cases: Array<[string, string | Buffer, string, string]> = [
  [
    'decodes an RFC 2047 Q-encoded ISO-8859-1 subject and sender name',
    buildMessage({
      subject: '=?ISO-8859-1?Q?Caf=E9_cr=E8me_=E0_l=27heure?=',
      from: '=?ISO-8859-1?Q?Andr=E9_M=FCller?= <andre@example.test>',
    }),
    "Café crème à l'heure",
    'André Müller <andre@example.test>',
  ],
  [
    'decodes a B-encoded UTF-8 subject split over two encoded words',
    buildMessage({ subject: '=?UTF-8?B?8J+TrCBOZXVl?= =?UTF-8?B?IE5hY2hyaWNodA==?=' }),
    '📬 Neue Nachricht',
    'Ann Sender <ann@example.test>',
  ],
  [
    'unfolds a subject folded over three lines onto one',
    buildMessage({ subject: 'Quarterly report\r\n for the\r\n\tsecond quarter' }),
    'Quarterly report for the second quarter',
    'Ann Sender <ann@example.test>',
  ],
  [
    'reads a raw 8-bit Latin-1 subject and sender name (no encoded words) as Latin-1',
    Buffer.from(
      buildMessage({
        subject: 'Caf\u00e9 cr\u00e8me',
        from: '"Andr\u00e9 M\u00fcller" <andre@example.test>',
      }).replace('utf-8', 'iso-8859-1'),
      'latin1',
    ),
    'Café crème',
    'André Müller <andre@example.test>',
  ],
  [
    'reads a raw 8-bit UTF-8 subject as UTF-8 (RFC 6532)',
    Buffer.from(buildMessage({ subject: 'Grüße aus Köln' }), 'utf8'),
    'Grüße aus Köln',
    'Ann Sender <ann@example.test>',
  ],
  [
    `keeps a subject of exactly ${MAX_SUBJECT_LENGTH} characters whole`,
    buildMessage({ subject: 's'.repeat(MAX_SUBJECT_LENGTH) }),
    's'.repeat(MAX_SUBJECT_LENGTH),
    'Ann Sender <ann@example.test>',
  ],
  [
    'cuts a folded subject one character over the limit, ending it in "…"',
    buildMessage({ subject: `${'x'.repeat(100)}\r\n ${'y'.repeat(MAX_SUBJECT_LENGTH - 100)}` }),
    `${'x'.repeat(100)} ${'y'.repeat(MAX_SUBJECT_LENGTH - 102)}…`,
    'Ann Sender <ann@example.test>',
  ],
  [
    'cuts a 1,000-character encoded subject to the limit, ending it in "…"',
    buildMessage({ subject: `=?UTF-8?Q?${'=C3=A9'.repeat(1_000)}?=` }),
    `${'é'.repeat(MAX_SUBJECT_LENGTH - 1)}…`,
    'Ann Sender <ann@example.test>',
  ],
];

let engine: EngineRun;
let subjects: Map<number, { subject: string; from: string }>;

beforeAll(async () => {
  dovecot.addUser('text', 'pw');
  const settings = testSettings([testAccount(dovecot, 'a', 'text', 'pw')], 100);
  engine = startEngine(settings);
  cleanups.push(() => engine.supervisor.stop());
  await engine.allIdle(settings);
  const uids = await dovecot.append(
    'text',
    'INBOX',
    cases.map(([, raw]) => raw),
  );
  await engine.announcements.waitForCount(() => true, cases.length, 'every case');
  subjects = new Map(
    engine.announcements.items.flatMap((a: Announcement) =>
      a.kind === 'message' ? [[a.message.uid, a.message]] : [],
    ),
  );
  expect([...subjects.keys()].sort((a, b) => a - b)).toEqual(uids);
  // Two waits of 15 s: the hook's own timeout comes after them, so theirs is the failure shown.
}, 45_000);

describe('subjects and senders from real headers', () => {
  it.each(cases.map((c, index) => [...c, index + 1] as const))(
    '%s',
    (_name, _raw, subject, from, uid) => {
      expect(subjects.get(uid)).toMatchObject({ subject, from });
    },
  );
});
