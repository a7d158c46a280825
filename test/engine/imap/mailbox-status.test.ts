/** Mailbox names compared as IMAP compares them: INBOX in any case, every other name exact. */
import { describe, expect, it } from 'vitest';
import { pathKey, samePath } from '../../../app/main/engine/imap/mailbox-status.js';

describe('samePath and pathKey', () => {
  it('take INBOX in any case as one mailbox, and every other name only as spelled', () => {
    expect(samePath('INBOX', 'inbox')).toBe(true);
    expect(samePath('Inbox', 'iNbOx')).toBe(true);
    expect(samePath('Work', 'work')).toBe(false);
    expect(samePath('INBOX/Sub', 'inbox/Sub')).toBe(false);
    expect(samePath('Box10', 'Box10')).toBe(true);
    expect(samePath('Box10', 'BOX10')).toBe(false);
  });

  it('give one key to exactly the names samePath takes as equal', () => {
    const names = ['INBOX', 'inbox', 'InBox', 'Work', 'work', 'INBOX/Sub', 'Box10', 'BOX10', ''];
    for (const a of names) {
      for (const b of names) expect(pathKey(a) === pathKey(b)).toBe(samePath(a, b));
    }
    expect(pathKey('inbox')).toBe('INBOX');
    expect(pathKey('Entwürfe')).toBe('Entwürfe');
  });
});
