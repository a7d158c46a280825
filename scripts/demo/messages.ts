/**
 * The demo's mail: varied senders and subjects, RFC 2047 encoded headers with non-ASCII text,
 * a reply, a burst of twelve and one hostile message. Each step is delivered at once; its
 * label is ours, plain ASCII, so it is safe to print (the mail's own text is not).
 */
import { randomUUID } from 'node:crypto';

/** A message before it is made raw; `from` and `subject` are header text, already encoded. */
interface DemoMessage {
  from: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
}

/** Messages delivered together, and what to call them on the terminal. */
export interface DemoStep {
  label: string;
  messages: string[];
}

/** RFC 2047 B-encoded words, split on character boundaries to stay under 75 characters each. */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 36) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  words.push(chunk);
  // Folded onto continuation lines; white space between encoded words is dropped (§6.2).
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** The raw RFC 5322 message, with CRLF line ends. */
export function toRaw(message: DemoMessage): string {
  const headers = [
    `From: ${message.from}`,
    'To: Demo <demo@tidings.invalid>',
    `Subject: ${message.subject}`,
    `Message-ID: ${message.messageId ?? newMessageId()}`,
    ...(message.inReplyTo
      ? [`In-Reply-To: ${message.inReplyTo}`, `References: ${message.inReplyTo}`]
      : []),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${message.body}\r\n`;
}

/**
 * A subject that tries everything a sender can: terminal escapes (retitle the window, clear
 * the screen, colour), a U+202E override that flips "exe.txt", an argument for notify-send,
 * and markup some notification daemons render.
 */
const HOSTILE_SUBJECT =
  '--urgency=critical \u001b]0;pwned\u0007\u001b[2J\u001b[31mRED\u001b[0m ' +
  'invoice\u202Etxt.exe <b>markup</b> & more';

const BUILDS = ['linux', 'macos', 'windows'];

/** One round of the demo's steps, with fresh Message-IDs (the round repeats until Ctrl-C). */
export function demoSteps(): DemoStep[] {
  const numbersId = newMessageId();
  const one = (label: string, message: DemoMessage): DemoStep => ({
    label,
    messages: [toRaw(message)],
  });
  return [
    one('a plain message', {
      from: 'Ann Example <ann@example.org>',
      subject: 'Lunch on Friday?',
      body: 'The new place on Elm Street opens at noon.',
    }),
    one('a sender and subject in encoded UTF-8', {
      from: `${encodeWords('Zoë Müller')} <zoe@example.de>`,
      subject: encodeWords('Grüße aus Köln — Fotos vom Wochenende 📷'),
      body: 'Anbei die Fotos.',
    }),
    one('a message that will get a reply', {
      from: 'Bob Builder <bob@example.com>',
      subject: 'Quarterly numbers',
      body: 'Attached are the figures for Q3.',
      messageId: numbersId,
    }),
    one('the reply', {
      from: 'Ann Example <ann@example.org>',
      subject: 'Re: Quarterly numbers',
      body: 'Thanks, Bob. Looks good.',
      inReplyTo: numbersId,
    }),
    one('a hostile subject (terminal escapes, U+202E, --urgency=critical, markup)', {
      from: `${encodeWords('Mallory \u001b[5m\u202E')} <mallory@example.net>`,
      subject: encodeWords(HOSTILE_SUBJECT),
      body: 'Nothing to see here.',
    }),
    {
      label: 'a burst of 12 messages at once',
      messages: Array.from({ length: 12 }, (_, i) =>
        toRaw({
          from: 'CI <ci@builds.example.com>',
          subject: `Build #${1040 + i} ${i % 4 === 3 ? 'failed' : 'passed'} on ${BUILDS[i % 3]}`,
          body: 'See the build log for details.',
        }),
      ),
    },
    one('a Q-encoded ISO-8859-1 sender', {
      from: '=?ISO-8859-1?Q?Andr=E9_Dupont?= <andre@example.fr>',
      subject: '=?UTF-8?Q?R=C3=A9union_de_lundi_=C3=A0_10h?=',
      body: 'Salle B, comme d’habitude.',
    }),
    one('a sender and subject in Japanese', {
      from: `${encodeWords('山田太郎')} <taro@example.jp>`,
      subject: encodeWords('会議の資料について'),
      body: '資料を添付します。',
    }),
    one('a newsletter', {
      from: 'The Weekly Digest <digest@lists.example.net>',
      subject: 'Your weekly digest: 5 stories you missed',
      body: 'Unsubscribe at any time.',
    }),
  ];
}

function newMessageId(): string {
  return `<${randomUUID()}@demo.tidings.invalid>`;
}
