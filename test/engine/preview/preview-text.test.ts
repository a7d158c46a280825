/**
 * Decoding and cleaning a preview from the first bytes of a part: transfer encodings cut
 * anywhere, charsets, HTML, garbage and hostile text. Dovecot serves the same bytes in
 * preview-dovecot.test.ts; here the cuts and corner cases are exact.
 */
import { describe, expect, it } from 'vitest';
import {
  cleanPreview,
  PREVIEW_LENGTH,
  previewText,
  type PreviewPart,
} from '../../../app/main/engine/preview/index.js';

const plain = (encoding: string, charset?: string): PreviewPart => ({
  section: '1',
  subtype: 'plain',
  encoding,
  ...(charset ? { charset } : {}),
});
const html = (encoding = '7bit', charset = 'utf-8'): PreviewPart => ({
  section: '1',
  subtype: 'html',
  encoding,
  charset,
});
const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('previewText', () => {
  it('decodes quoted-printable, soft breaks included, and drops an escape cut at the end', async () => {
    const raw = bytes('Caf=C3=A9 au =\r\nlait =E2=80');
    expect(await previewText(raw, plain('quoted-printable', 'utf-8'))).toBe('Café au lait');
  });

  it('decodes base64 cut inside a group and inside a UTF-8 sequence', async () => {
    const encoded = Buffer.from('Grüße aus Köln, Straße').toString('base64');
    // 31 characters: a group cut short, whose last whole byte is half of "ß".
    expect(await previewText(bytes(encoded.slice(0, 31)), plain('base64', 'UTF-8'))).toBe(
      'Grüße aus Köln, Stra',
    );
  });

  it('reads ISO-8859-1 and windows-1252 bytes, the 0x80–0x9F range as windows-1252 does', async () => {
    expect(await previewText(bytes('Fa\xe7ade d\xe9j\xe0 vu'), plain('8bit', 'iso-8859-1'))).toBe(
      'Façade déjà vu',
    );
    expect(
      await previewText(bytes('\x93Hi\x94 \x80 5 \x96 6'), plain('8bit', 'windows-1252')),
    ).toBe('“Hi” € 5 – 6');
    // No charset: US-ASCII by RFC 2045, 8-bit bytes as the sender's system meant them.
    expect(await previewText(bytes('caf\xe9'), plain('8bit'))).toBe('café');
  });

  it('reads HTML as text: no head, style or script, entities decoded, no link or image addresses', async () => {
    const page =
      '<html><head><title>T</title><style>p{color:red}</style></head><body>' +
      '<script>document.write("x")</script><h2>Hello</h2><p>Tom &amp; Jerry &lt;3 &hellip; ' +
      '<a href="https://t.example/x">see</a> <img src="https://t.example/p.gif" alt="">' +
      '</p></body></html>';
    expect(await previewText(bytes(page), html())).toBe('Hello Tom & Jerry <3 … see');
  });

  it('gives nothing for HTML cut before its body has any text', async () => {
    const head = `<html><head><style>${'.a{color:red}'.repeat(400)}`;
    expect(await previewText(bytes(head.slice(0, 4096)), html())).toBeUndefined();
  });

  it('gives nothing for binary bytes, an unknown transfer encoding, or only whitespace', async () => {
    const binary = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256));
    expect(await previewText(binary, plain('binary', 'utf-8'))).toBeUndefined();
    expect(await previewText(bytes(binary.toString('base64')), plain('base64'))).toBeUndefined();
    expect(await previewText(bytes('begin 644 x\r\n'), plain('x-uuencode'))).toBeUndefined();
    expect(await previewText(bytes(' \r\n\t\r\n'), plain('7bit'))).toBeUndefined();
  });

  it('cuts at PREVIEW_LENGTH characters on one line', async () => {
    const text = `${'word '.repeat(60)}\r\n${'more '.repeat(60)}`;
    const preview = await previewText(bytes(text), plain('7bit'));
    expect(Array.from(preview ?? '')).toHaveLength(PREVIEW_LENGTH);
    expect(preview).toMatch(/^word word .*…$/);
    expect(preview).not.toContain('\n');
  });
});

describe('cleanPreview', () => {
  it('drops controls, escape sequences, bidi overrides and invisible characters; keeps markup as text', () => {
    expect(
      cleanPreview('Pay\u0007 \u001b[1;31mnow\u001b[0m \u202egpj.exe\u202c \u200b<i>x</i>\r\nok'),
    ).toBe('Pay now gpj.exe <i>x</i> ok');
  });

  it('takes a stray replacement character for a space, and many of them for garbage', () => {
    expect(cleanPreview('one stray\ufffdbyte in a line')).toBe('one stray byte in a line');
    expect(cleanPreview('ab\ufffd\ufffd\ufffdcd\ufffd\ufffd')).toBeUndefined();
  });
});
