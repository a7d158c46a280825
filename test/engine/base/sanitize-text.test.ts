import { describe, expect, it } from 'vitest';
import {
  formatSender,
  MAX_SERVER_TEXT_LENGTH,
  sanitizeServerText,
  sanitizeText,
  senderDisplayName,
} from '../../../app/main/engine/base/sanitize-text.js';

describe('sanitizeText', () => {
  it('removes a right-to-left override that would disguise a file name', () => {
    expect(sanitizeText('invoice \u202Efdp.exe', 100)).toBe('invoice fdp.exe');
  });

  it('removes bidi isolates, marks, zero-width and BOM characters', () => {
    expect(sanitizeText('a\u2066b\u2069c\u200Fd\u200Be\uFEFFf\u061Cg', 100)).toBe('abcdefg');
  });

  it('turns newlines, tabs, escapes and C1 controls into single spaces', () => {
    expect(sanitizeText('line1\r\nline2\tx\u001b[31mred\u0085end\u2028', 100)).toBe(
      'line1 line2 x [31mred end',
    );
  });

  it('truncates to the limit in code points with an ellipsis, never splitting a surrogate pair', () => {
    const text = '😀'.repeat(10);
    const cut = sanitizeText(text, 5);
    expect(Array.from(cut)).toHaveLength(5);
    expect(cut).toBe('😀😀😀😀…');
  });

  it('replaces lone surrogates instead of passing malformed UTF-16 on', () => {
    expect(sanitizeText('a\uD800b', 10)).toBe('a\uFFFDb');
  });

  it('returns an empty string for non-strings', () => {
    expect(sanitizeText(undefined, 10)).toBe('');
    expect(sanitizeText(42, 10)).toBe('');
  });
});

describe('formatSender', () => {
  it('joins name and address', () => {
    expect(formatSender([{ name: 'Ann', address: 'ann@example.test' }])).toBe(
      'Ann <ann@example.test>',
    );
  });

  it('falls back to the address or the name alone', () => {
    expect(formatSender([{ address: 'ann@example.test' }])).toBe('ann@example.test');
    expect(formatSender([{ name: 'Ann' }])).toBe('Ann');
    expect(formatSender([])).toBe('');
    expect(formatSender(undefined)).toBe('');
  });

  it('cleans a hostile display name', () => {
    expect(formatSender([{ name: 'Bank\u202E\nSupport', address: 'x@evil.test' }])).toBe(
      'Bank Support <x@evil.test>',
    );
  });
});

describe('senderDisplayName', () => {
  it('keeps only the name of "Name <address>"', () => {
    expect(senderDisplayName('Ann Example <ann@example.test>')).toBe('Ann Example');
    expect(senderDisplayName('ann@example.test')).toBe('ann@example.test');
  });
});

describe('sanitizeServerText', () => {
  it('drops CSI, OSC and two-byte escape sequences whole, not leaving their parameters behind', () => {
    const raw =
      '\u001b[1;31mred\u001b[0m \u001b]0;title\u0007a \u001b]8;;http://x.test\u001b\\link\u001b]8;;\u001b\\ \u009b2Jb \u001bcc';
    expect(sanitizeServerText(raw)).toBe('red a link b c');
  });

  it('folds line breaks and removes bidi overrides, as for subjects', () => {
    expect(sanitizeServerText('two\r\nlines \u202eexe.pdf')).toBe('two lines exe.pdf');
  });

  it('drops an OSC string that is never terminated, to the end', () => {
    expect(sanitizeServerText('kept \u001b]0;swallowed')).toBe('kept');
  });

  it('caps the length', () => {
    const cut = sanitizeServerText('x'.repeat(5_000));
    expect(Array.from(cut)).toHaveLength(MAX_SERVER_TEXT_LENGTH);
    expect(cut.endsWith('…')).toBe(true);
  });
});
