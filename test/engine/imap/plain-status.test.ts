/**
 * The plain STATUS reader (plain-status.ts) gives exactly the tokens imapflow's own parser
 * makes of every line it takes, and leaves the rest to that parser.
 */
import parser from 'imapflow/lib/handler/imap-parser.js';
import { describe, expect, it } from 'vitest';
import { plainStatusAttributes } from '../../../app/main/engine/imap/plain-status.js';

async function imapflowTokens(line: string): Promise<unknown> {
  const parsed = (await parser(Buffer.from(line, 'latin1'))) as Record<string, unknown>;
  return { tag: parsed.tag, command: parsed.command, attributes: parsed.attributes };
}

/** A small deterministic generator (mulberry32), so the cases are the same at every run. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('plain STATUS lines', () => {
  it('reads what NOTIFY sends as imapflow does: quoted and atom names, escapes, every item', async () => {
    const lines = [
      '* STATUS "INBOX" (MESSAGES 5 UIDNEXT 6 UIDVALIDITY 123 UNSEEN 0 HIGHESTMODSEQ 7)',
      '* STATUS Work (MESSAGES 5)',
      '* STATUS "a \\"q\\\\ b" ()',
      '* STATUS "&ANw-ber" (UIDNEXT 1)',
      '* STATUS "x" (MESSAGES 01 UIDNEXT 18446744073709551616)',
      '* STATUS INBOX.Sent-Items (UIDNEXT 4294967295)',
      '* STATUS "" (MESSAGES 0)',
    ];
    for (const line of lines) {
      const attributes = plainStatusAttributes(Buffer.from(line, 'latin1'));
      expect(attributes, line).toBeDefined();
      expect({ tag: '*', command: 'STATUS', attributes }, line).toEqual(await imapflowTokens(line));
    }
  });

  it('leaves to imapflow what is not plainly that shape', () => {
    for (const line of [
      '* STATUS NIL (MESSAGES 1)',
      '* STATUS nil (MESSAGES 1)',
      '* status INBOX (MESSAGES 1)',
      '* STATUS {5}',
      '* STATUS A[b] (MESSAGES 1)',
      '* STATUS "tab\there" (MESSAGES 1)',
      '* STATUS "\u00fcber" (MESSAGES 1)',
      '* STATUS "a\\b" (MESSAGES 1)',
      '* STATUS INBOX (MESSAGES)',
      '* STATUS INBOX (MESSAGES -1)',
      '* STATUS INBOX (MESSAGES 1 )',
      '* STATUS INBOX  (MESSAGES 1)',
      '* STATUS INBOX (MESSAGES 1) extra',
      '* STATUS INBOX (X (1))',
      '* LIST () "/" INBOX',
      '* 3 EXISTS',
      'A1 OK STATUS completed',
      `* STATUS "${'x'.repeat(1100)}" (MESSAGES 1)`,
    ]) {
      expect(plainStatusAttributes(Buffer.from(line, 'latin1')), line).toBeUndefined();
    }
  });

  it('agrees with imapflow on every line it takes among 3,000 generated near the shape', async () => {
    const random = generator(23);
    const pick = (items: readonly string[]) => items[Math.floor(random() * items.length)] ?? '';
    const pieces = [
      'a',
      'Z',
      '0',
      '9',
      ' ',
      '"',
      '\\',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '%',
      '*',
      '&',
      '-',
      '.',
      '/',
      '~',
      '\t',
      'NIL',
      '\u00e9',
    ];
    const name = () => {
      const length = Math.floor(random() * 6);
      const text = Array.from({ length }, () => pick(pieces)).join('');
      return random() < 0.5 ? `"${text}"` : text;
    };
    const item = () =>
      `${pick(['MESSAGES', 'UIDNEXT', 'x-Y', 'UNSEEN', '1A', ''])} ${pick(['0', '17', '01', '-', 'a', ''])}`;
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      const items = Array.from({ length: Math.floor(random() * 4) }, item).join(pick([' ', '  ']));
      const line = `* STATUS ${name()} (${items})`;
      const attributes = plainStatusAttributes(Buffer.from(line, 'latin1'));
      if (!attributes) continue;
      taken++;
      expect({ tag: '*', command: 'STATUS', attributes }, line).toEqual(await imapflowTokens(line));
    }
    // Enough of them are plain to mean something.
    expect(taken).toBeGreaterThan(100);
  });
});
