import { describe, expect, it } from 'vitest';
import {
  formatSender,
  sanitizeText,
  senderDisplayName,
} from '../../app/main/engine/sanitize-text.js';

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
