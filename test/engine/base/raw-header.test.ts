import { describe, expect, it } from 'vitest';
import {
  decodeRawHeader,
  displayNameOf,
  isGarbled,
} from '../../../app/main/engine/base/raw-header.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('decodeRawHeader', () => {
  it('reads bytes that are not UTF-8 as windows-1252', () => {
    expect(decodeRawHeader(latin1('Subject: Caf\u00e9 \u0080\r\n'), 'subject')).toBe('Café €');
  });

  it('reads valid UTF-8 bytes as UTF-8 (RFC 6532)', () => {
    const block = Buffer.from('From: x\r\nSubject: Grüße\r\n', 'utf8');
    expect(decodeRawHeader(block, 'Subject')).toBe('Grüße');
  });

  it('unfolds a header continued on the next lines', () => {
    const block = latin1('Subject: one\r\n two\r\n\tthree\r\nFrom: x\r\n');
    expect(decodeRawHeader(block, 'subject')).toBe('one two\tthree');
  });

  it('leaves encoded words to the ENVELOPE decoder, and an absent header undefined', () => {
    expect(decodeRawHeader(latin1('Subject: =?UTF-8?Q?Caf=E9?=\r\n'), 'subject')).toBeUndefined();
    expect(decodeRawHeader(latin1('From: x\r\n'), 'subject')).toBeUndefined();
  });
});

describe('displayNameOf and isGarbled', () => {
  it('finds the display name of a From value, quoted or not', () => {
    expect(displayNameOf('"André Müller" <a@x>')).toBe('André Müller');
    expect(displayNameOf('André <a@x>')).toBe('André');
    expect(displayNameOf('a@x')).toBeUndefined();
  });

  it('tells a decoding that lost bytes', () => {
    expect(isGarbled('Caf\ufffd')).toBe(true);
    expect(isGarbled('Café')).toBe(false);
    expect(isGarbled(undefined)).toBe(false);
  });
});
