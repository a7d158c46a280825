/**
 * Previews against a real Dovecot, through the engine as it runs (Supervisor): each encoding
 * a sender uses, HTML-only and multipart mail, a 20 MB message (bounded at the wire), garbage
 * and hostile bodies, and the mail left unread on the server. A tap between the engine and
 * Dovecot sees every command and counts every byte the server sends.
 */
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../../app/main/engine/base/announcement.js';
import { PREVIEW_BYTES } from '../../../app/main/engine/preview/index.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { newMessageId } from '../../support/messages.js';

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));

const liveness = { heartbeatSeconds: 30, commandTimeoutSeconds: 10, maxBackoffSeconds: 1 };

/** A raw message: `headers` (Content-Type and the like) and `body` as bytes (latin1). */
function rawMessage(subject: string, headers: string[], body: string | Buffer): Buffer {
  const head = [
    'From: Ann Sender <ann@example.test>',
    'To: me@example.test',
    `Subject: ${subject}`,
    `Message-ID: ${newMessageId()}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    ...headers,
  ].join('\r\n');
  return Buffer.concat([
    Buffer.from(`${head}\r\n\r\n`, 'latin1'),
    typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
  ]);
}

const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/** What the tap saw: the client's command lines and the bytes the server sent. */
interface Wire {
  commands: string[];
  serverBytes: number;
}

/** An engine watching a user's INBOX through a tap. */
interface Watched {
  user: string;
  wire: Wire;
  engine: EngineRun;
  tap: FaultProxy;
  /** Delivers messages one by one, each announced before the next (no storm). */
  deliver(...messages: Buffer[]): Promise<Announcement[]>;
}

/** An engine watching a new user's INBOX through a tap, with `notifications` as given. */
async function watch(
  notifications: Record<string, unknown> = {},
  options: { again?: Watched; liveness?: typeof liveness } = {},
): Promise<Watched> {
  const user = options.again?.user ?? `preview${++users}`;
  if (!options.again) dovecot.addUser(user, 'pw');
  // Started again: through the same tap (a cursor names the port it was saved for).
  const wire: Wire = { commands: [], serverBytes: 0 };
  const tap =
    options.again?.tap ??
    (await startFaultProxy(dovecot.port, '127.0.0.1', (chunk, fromClient) => {
      if (!fromClient) {
        wire.serverBytes += chunk.length;
        return;
      }
      for (const line of chunk.toString('latin1').split('\r\n')) {
        if (line) wire.commands.push(line);
      }
    }));
  if (options.again) options.again.wire.commands.length = 0;
  if (!options.again) cleanups.push(() => tap.close());
  const account = { ...testAccount(dovecot, 'a', user, 'pw'), port: tap.port };
  const settings = testSettings([account], 5, options.liveness ?? liveness);
  Object.assign(settings.notifications, notifications);
  const engine = startEngine(settings, options.again?.engine.stateDir);
  cleanups.push(() => engine.supervisor.stop());
  await engine.allIdle(settings);
  const deliver = async (...messages: Buffer[]): Promise<Announcement[]> => {
    const found: Announcement[] = [];
    for (const message of messages) {
      const from = engine.announcements.items.length;
      await dovecot.append(user, 'INBOX', [message]);
      const [announced] = await engine.announcements.waitForCount(
        () => true,
        1,
        'the announcement',
        15_000,
        from,
      );
      found.push(announced as Announcement);
    }
    return found;
  };
  return { user, wire: options.again?.wire ?? wire, engine, deliver, tap };
}

/** The flags of every message in `user`'s INBOX, asked on a connection of the test's own. */
async function flagsOnServer(user: string): Promise<string[][]> {
  return dovecot.withClient(user, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const messages = await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true });
    return messages.map((message) => [...(message.flags ?? [])]);
  });
}

/** The UIDs named by the fetches that asked for a part's first bytes ("UID FETCH 3:5,8 (…)"). */
const previewedUids = (wire: Wire) =>
  wire.commands
    .filter((line) => /BODY\.PEEK\[[\d.]+\]</i.test(line))
    .flatMap((line) => (/UID FETCH ([\d,:]+)/i.exec(line)?.[1] ?? '').split(','))
    .flatMap((range) => {
      const [from = 0, to = from] = range.split(':').map(Number);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });

/** The UID FETCH commands the tap saw. */
const uidFetches = (wire: Wire) => wire.commands.filter((line) => /^\S+ UID FETCH /i.test(line));

const previewsOf = (announcements: Announcement[]) =>
  announcements.map((announcement) => announcement.message.preview);

describe('previews from a real Dovecot', { timeout: 90_000 }, () => {
  it('decodes quoted-printable, base64, ISO-8859-1, windows-1252 and UTF-8, and leaves every message unread', async () => {
    const { user, deliver, wire } = await watch();
    const announced = await deliver(
      rawMessage(
        'qp',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
        'Caf=C3=A9 cr=C3=A8me =E2=80=94 a soft=\r\nbreak, then\r\nthe next line.\r\n',
      ),
      rawMessage(
        'base64',
        ['Content-Type: text/plain; charset="UTF-8"', 'Content-Transfer-Encoding: base64'],
        `${Buffer.from('Grüße aus Köln — bis bald!\r\n').toString('base64')}\r\n`,
      ),
      rawMessage(
        'latin1',
        ['Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: 8bit'],
        'Fa\xe7ade d\xe9j\xe0 vu, na\xefve \xa9 2026\r\n',
      ),
      rawMessage(
        'cp1252',
        [
          'Content-Type: text/plain; charset=windows-1252',
          'Content-Transfer-Encoding: quoted-printable',
        ],
        '=93Quoted=94 price: 5 =80 =96 today\r\n',
      ),
      rawMessage(
        'utf8',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
        utf8('Ζεύς says 日本語 🎉 ok\r\n'),
      ),
    );
    expect(previewsOf(announced)).toEqual([
      'Café crème — a softbreak, then the next line.',
      'Grüße aus Köln — bis bald!',
      'Façade déjà vu, naïve © 2026',
      '“Quoted” price: 5 € – today',
      'Ζεύς says 日本語 🎉 ok',
    ]);
    // Read with BODY.PEEK, in at most PREVIEW_BYTES, never with a plain BODY[ (which sets \Seen).
    const bodyFetches = wire.commands.filter((line) => /BODY(\.PEEK)?\[/i.test(line));
    expect(bodyFetches.some((line) => line.includes(`BODY.PEEK[1]<0.${PREVIEW_BYTES}>`))).toBe(
      true,
    );
    expect(bodyFetches.filter((line) => !/BODY\.PEEK\[/i.test(line))).toEqual([]);
    expect((await flagsOnServer(user)).filter((flags) => flags.includes('\\Seen'))).toEqual([]);
  });

  it('reads HTML-only mail as text and picks the text/plain part of multipart mail', async () => {
    const { deliver } = await watch();
    const html =
      '<!DOCTYPE html><html><head><title>Title is not text</title>' +
      '<style>p { color: red }</style><script>alert("no")</script></head>' +
      '<body><h1>Big sale</h1><p>Tom &amp; Jerry &lt;3 &eacute;t&eacute; &#8364;5 ' +
      '<a href="https://tracker.example/abc">click here</a><img src="x.png" alt="pixel"></p></body></html>';
    const announced = await deliver(
      rawMessage(
        'html only',
        ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
        html.replace(/=/g, '=3D'),
      ),
      rawMessage(
        'alternative, HTML first',
        ['Content-Type: multipart/alternative; boundary="b1"'],
        '--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML half</p>\r\n' +
          '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain half\r\n--b1--\r\n',
      ),
      rawMessage(
        'mixed',
        ['Content-Type: multipart/mixed; boundary="outer"'],
        '--outer\r\nContent-Type: text/plain; name="notes.txt"\r\n' +
          'Content-Disposition: attachment; filename="notes.txt"\r\n\r\nATTACHED TEXT\r\n' +
          '--outer\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n' +
          '--inner\r\nContent-Type: text/plain; charset=iso-8859-1\r\n' +
          'Content-Transfer-Encoding: quoted-printable\r\n\r\nNested na=EFve text\r\n' +
          '--inner\r\nContent-Type: text/html\r\n\r\n<p>nested html</p>\r\n--inner--\r\n' +
          '--outer--\r\n',
      ),
    );
    expect(previewsOf(announced)).toEqual([
      'Big sale Tom & Jerry <3 été €5 click here',
      'Plain half',
      'Nested naïve text',
    ]);
  });

  it('fetches a few KB of a 20 MB message, and its preview', async () => {
    const { deliver, wire } = await watch();
    const line = 'All work and no play makes a very long message indeed.\r\n';
    const body = `First line of a huge message.\r\n${line.repeat(Math.ceil(20e6 / line.length))}`;
    const before = wire.serverBytes;
    const [announced] = await deliver(
      rawMessage('huge', ['Content-Type: text/plain; charset=us-ascii'], body),
    );
    expect(announced?.message.preview).toMatch(/^First line of a huge message\. All work/);
    expect(announced?.message.preview?.length).toBeLessThanOrEqual(120);
    // What the server sent for the whole announcement (EXISTS, SEARCH, FETCHes, counts):
    // the preview's part at most PREVIEW_BYTES of it, not the message's 20 MB.
    expect(wire.serverBytes - before).toBeLessThan(PREVIEW_BYTES + 8_192);
  });

  it('gives no preview for a body that does not decode, and announces the message all the same', async () => {
    const { deliver } = await watch();
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
    const announced = await deliver(
      rawMessage(
        'binary as text',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
        `${garbage.toString('base64')}\r\n`,
      ),
      rawMessage(
        'unknown encoding',
        ['Content-Type: text/plain', 'Content-Transfer-Encoding: x-uuencode'],
        'begin 644 file\r\nM9&%T80``\r\nend\r\n',
      ),
      rawMessage(
        'no text at all',
        ['Content-Type: image/png', 'Content-Transfer-Encoding: base64'],
        'iVBORw0KGgo=\r\n',
      ),
    );
    expect(announced.map((a) => a.message.subject)).toEqual([
      'binary as text',
      'unknown encoding',
      'no text at all',
    ]);
    expect(previewsOf(announced)).toEqual([undefined, undefined, undefined]);
  });

  it('cleans hostile text: control characters, escape sequences and bidi overrides go; markup stays text', async () => {
    const { deliver } = await watch();
    const [announced] = await deliver(
      rawMessage(
        'hostile',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
        utf8(
          'Invoice\x07\x1b[31m red\x1b]8;;http://evil\x07 \u202Efdp.exe\u202C <b>bold</b> &amp;\r\nsecond\x00line\r\n',
        ),
      ),
    );
    expect(announced?.message.preview).toBe('Invoice red fdp.exe <b>bold</b> &amp; second line');
  });

  it('fetches no preview, and no more than without previews, for a backlog past the burst threshold', async () => {
    const plain = (i: number) =>
      rawMessage(`backlog ${i}`, ['Content-Type: text/plain'], `Text ${i}\r\n`);
    const fetchesFor = async (notifications: Record<string, unknown>) => {
      // Baselined, stopped, 20 messages delivered meanwhile, started again: one resync finds them.
      const first = await watch(notifications);
      await first.engine.supervisor.stop();
      await dovecot.append(
        first.user,
        'INBOX',
        Array.from({ length: 20 }, (_, i) => plain(i)),
      );
      const again = await watch(notifications, { again: first });
      await again.engine.announcements.waitForCount(() => true, 20, '20 announcements');
      expect(previewsOf(again.engine.announcements.items)).toEqual(Array(20).fill(undefined));
      return { fetches: uidFetches(again.wire), previewed: previewedUids(again.wire) };
    };
    const withPreviews = await fetchesFor({ preview: true });
    const without = await fetchesFor({ preview: false });
    expect(withPreviews.previewed).toEqual([]);
    expect(withPreviews.fetches.join('\n')).not.toMatch(/BODYSTRUCTURE/);
    expect(withPreviews.fetches.length).toBe(without.fetches.length);
  });

  it('previews no more than the burst threshold of a storm that comes in rounds', async () => {
    const { user, engine, wire } = await watch();
    // Rounds of two, each announced before the next: syncs well inside the storm's gap.
    for (let round = 0; round < 10; round++) {
      await dovecot.append(
        user,
        'INBOX',
        [0, 1].map((i) =>
          rawMessage(`storm ${round}.${i}`, ['Content-Type: text/plain'], `Storm text\r\n`),
        ),
      );
      await engine.announcements.waitForCount(() => true, 2 * (round + 1), 'the round');
    }
    const previews = previewsOf(engine.announcements.items);
    // The first round is previewed (two, within the threshold of 5); from the sixth message
    // of the storm on, none is, nor fetched.
    expect(previews.slice(0, 2)).toEqual(['Storm text', 'Storm text']);
    expect(previews.slice(5)).toEqual(Array(15).fill(undefined));
    expect(previewedUids(wire).length).toBeLessThanOrEqual(5);
  });

  // Part 1 comes in the FETCH of the envelopes; part 2 (HTML first) in a FETCH of its own.
  it.each([
    { part: 1, headers: ['Content-Type: text/plain'], body: 'Never seen in time\r\n' },
    {
      part: 2,
      headers: ['Content-Type: multipart/alternative; boundary="b"'],
      body:
        '--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n' +
        '--b\r\nContent-Type: text/plain\r\n\r\nNever seen in time\r\n--b--\r\n',
    },
  ])(
    'announces without a preview when the fetch of part $part misses the deadline, and previews again after',
    async ({ part, headers, body }) => {
      const quick = { heartbeatSeconds: 30, commandTimeoutSeconds: 1, maxBackoffSeconds: 1 };
      const { deliver, tap } = await watch({}, { liveness: quick });
      const asked = new RegExp(`BODY\\.PEEK\\[${part}\\]<`, 'i');
      const held = tap.holdClient(asked, () => new Promise((r) => setTimeout(r, 2_500)));
      const [late] = await deliver(rawMessage('held', headers, body));
      expect(late?.message.subject).toBe('held');
      expect(late?.message.preview).toBeUndefined();
      await held.catch(() => {});
      // The session was thrown away at the deadline; the next one reads previews as before.
      const [next] = await deliver(
        rawMessage('after', ['Content-Type: text/plain'], 'Back in time\r\n'),
      );
      expect(next?.message.preview).toBe('Back in time');
    },
  );

  it('fetches nothing more with previews off, or with sender and subject hidden', async () => {
    for (const notifications of [{ preview: false }, { showSubject: false }]) {
      const { deliver, wire } = await watch(notifications);
      const [announced] = await deliver(
        rawMessage('plain', ['Content-Type: text/plain; charset=utf-8'], 'Some text\r\n'),
      );
      expect(announced?.message.preview).toBeUndefined();
      expect(wire.commands.filter((line) => /BODYSTRUCTURE|BODY\.PEEK\[1/i.test(line))).toEqual([]);
    }
  });
});
