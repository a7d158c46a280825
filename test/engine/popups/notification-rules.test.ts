import { describe, expect, it } from 'vitest';
import {
  decidePopup,
  matchesSender,
  type NotificationRules,
} from '../../../app/main/engine/popups/notification-rules.js';

const rules: NotificationRules = {
  vip: ['boss@work.example', 'family.example'],
  muteSenders: ['noreply@shop.example', 'spam.example'],
  muteLists: ['<announce.lists.example>', 'DEV.lists.example'],
};
const open = { popups: true, quietMailboxes: [] };
const message = (fromAddress: string | null, listId: string | null = null, mailbox = 'INBOX') => ({
  mailbox,
  fromAddress,
  listId,
});

describe('notification rules', () => {
  it('pops up ordinary mail, and marks VIPs by address or domain, subdomains included', () => {
    expect(decidePopup(message('ann@example.com'), rules, open)).toBe('popup');
    expect(decidePopup(message('Boss@Work.Example'), rules, open)).toBe('vip');
    expect(decidePopup(message('mum@mail.family.example'), rules, open)).toBe('vip');
    // A look-alike domain is not a subdomain.
    expect(decidePopup(message('x@notfamily.example'), rules, open)).toBe('popup');
  });

  it('only counts muted senders, domains and lists, whatever else they are', () => {
    expect(decidePopup(message('noreply@shop.example'), rules, open)).toBe('count-only');
    expect(decidePopup(message('a@b.spam.example'), rules, open)).toBe('count-only');
    expect(
      decidePopup(
        message('boss@work.example', 'Announcements <announce.lists.example>'),
        rules,
        open,
      ),
    ).toBe('count-only');
    expect(decidePopup(message('x@y.example', '<dev.lists.example>'), rules, open)).toBe(
      'count-only',
    );
    expect(decidePopup(message('x@y.example', '<other.lists.example>'), rules, open)).toBe('popup');
  });

  it('only counts mail of an account or a mailbox whose popups are off, VIPs too', () => {
    expect(decidePopup(message('boss@work.example'), rules, { ...open, popups: false })).toBe(
      'count-only',
    );
    const lists = { popups: true, quietMailboxes: ['Lists'] };
    expect(decidePopup(message('boss@work.example', null, 'Lists'), rules, lists)).toBe(
      'count-only',
    );
    expect(decidePopup(message('boss@work.example', null, 'INBOX'), rules, lists)).toBe('vip');
  });

  it('matches nothing for a message without a sender, or an entry that is empty', () => {
    expect(matchesSender(null, ['example.com'])).toBe(false);
    expect(matchesSender('ann@example.com', ['', '  '])).toBe(false);
    expect(matchesSender('ann@example.com', ['@example.com'])).toBe(true);
  });
});
