/** Which part of a message its preview is read from, by the BODYSTRUCTURE imapflow parsed. */
import type { MessageStructureObject } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { previewPartOf } from '../../../app/main/engine/preview/index.js';

const leaf = (
  part: string | undefined,
  type: string,
  extra: Partial<MessageStructureObject> = {},
): MessageStructureObject => ({ ...(part ? { part } : {}), type, ...extra });
const multi = (
  part: string | undefined,
  type: string,
  childNodes: MessageStructureObject[],
): MessageStructureObject => ({ ...(part ? { part } : {}), type, childNodes });

describe('previewPartOf', () => {
  it('reads a message that is not multipart as section 1, with its charset and encoding', () => {
    expect(
      previewPartOf(
        leaf(undefined, 'text/plain', {
          parameters: { charset: 'ISO-8859-1' },
          encoding: 'QUOTED-PRINTABLE',
        }),
      ),
    ).toEqual({
      section: '1',
      subtype: 'plain',
      charset: 'ISO-8859-1',
      encoding: 'quoted-printable',
    });
    expect(previewPartOf(leaf(undefined, 'text/html'))).toEqual({
      section: '1',
      subtype: 'html',
      encoding: '7bit',
    });
  });

  it('prefers text/plain wherever it is, nested included, and falls back to the first HTML part', () => {
    const alternative = multi(undefined, 'multipart/alternative', [
      leaf('1', 'text/html'),
      leaf('2', 'text/plain'),
    ]);
    expect(previewPartOf(alternative)?.section).toBe('2');
    const mixed = multi(undefined, 'multipart/mixed', [
      multi('1', 'multipart/related', [
        multi('1.1', 'multipart/alternative', [leaf('1.1.1', 'text/html')]),
        leaf('1.2', 'image/png'),
      ]),
      leaf('2', 'application/pdf', { disposition: 'attachment' }),
    ]);
    expect(previewPartOf(mixed)).toMatchObject({ section: '1.1.1', subtype: 'html' });
  });

  it('never reads an attachment or an attached message', () => {
    const forwarded = multi(undefined, 'multipart/mixed', [
      leaf('1', 'text/plain', { disposition: 'attachment' }),
      {
        part: '2',
        type: 'message/rfc822',
        childNodes: [leaf('2.1', 'text/plain')],
      },
      leaf('3', 'text/html', { disposition: 'inline' }),
    ]);
    expect(previewPartOf(forwarded)?.section).toBe('3');
    expect(previewPartOf(multi(undefined, 'multipart/mixed', [leaf('1', 'image/jpeg')]))).toBe(
      undefined,
    );
    expect(previewPartOf(undefined)).toBeUndefined();
  });

  it('leaves out a charset parameter that is not a plain label', () => {
    const hostile = leaf(undefined, 'text/plain', {
      parameters: { charset: 'utf-8"\r\nContent-Type: text/html' },
    });
    expect(previewPartOf(hostile)).toEqual({ section: '1', subtype: 'plain', encoding: '7bit' });
  });
});
