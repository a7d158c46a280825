/** Which settings changes replace an account's watchers, without a supervisor or a socket. */
import { describe, expect, it } from 'vitest';
import { settingsSchema, type AccountSettings } from '../../../app/common/settings-schema.js';
import { replacesWatchers } from '../../../app/main/engine/watch/settings-diff.js';

const account = (extra: Record<string, unknown> = {}): AccountSettings => {
  const parsed = settingsSchema.parse({
    accounts: [{ id: 'a', host: 'imap.example.test', user: 'ann', password: 'x', ...extra }],
  }).accounts[0];
  if (!parsed) throw new Error('no account');
  return parsed;
};
const context = { livenessChanged: false, fellBack: false, limitOf: () => 10 };

describe('replacesWatchers', () => {
  it('keeps the connection for what is read per message or shown only', () => {
    const old = account();
    for (const change of [
      { name: 'Work' },
      { openUrl: 'https://mail.example.test' },
      { popups: false },
      { popupActions: ['archive'], popupClick: 'read' },
      { trashMailbox: 'Old', archiveMailbox: 'Kept' },
    ]) {
      expect(replacesWatchers(old, account(change), context)).toBe(false);
    }
  });

  it('replaces it for another server, user or liveness, and for a removed account', () => {
    const old = account();
    expect(replacesWatchers(old, account({ host: 'imap.other.test' }), context)).toBe(true);
    expect(replacesWatchers(old, account({ user: 'bob' }), context)).toBe(true);
    expect(replacesWatchers(old, account(), { ...context, livenessChanged: true })).toBe(true);
    expect(replacesWatchers(old, undefined, context)).toBe(true);
  });

  it('reconnects a NOTIFY account for a changed list, and keeps IDLE watchers of mailboxes that stay', () => {
    const notify = account({ mailboxes: ['INBOX'] });
    expect(replacesWatchers(notify, account({ mailboxes: ['INBOX', 'Work'] }), context)).toBe(true);
    const idle = account({ watchMode: 'idle', mailboxes: ['INBOX'] });
    const more = account({ watchMode: 'idle', mailboxes: ['INBOX', 'Work'] });
    expect(replacesWatchers(idle, more, context)).toBe(false);
  });

  it('plans a fallen-back account anew when its connection limit changes', () => {
    const old = account({ maxConnections: 5 });
    const next = account({ maxConnections: 3 });
    const limitOf = (a: AccountSettings) => a.maxConnections ?? 10;
    expect(replacesWatchers(old, next, { ...context, limitOf })).toBe(false);
    expect(replacesWatchers(old, next, { ...context, limitOf, fellBack: true })).toBe(true);
  });
});
