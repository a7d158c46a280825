import { describe, expect, it } from 'vitest';
import { NewMailCount, REMEMBERED_NEW_MESSAGES } from '../../app/main/electron/new-mail-count.js';

const message = (uid: number, mailbox = 'INBOX', account = 'work', uidValidity = 7) => ({
  account,
  mailbox,
  uidValidity,
  uid,
});

describe('NewMailCount', () => {
  it('counts each announced message once', () => {
    const count = new NewMailCount();
    expect(count.announce(message(1))).toBe(true);
    expect(count.announce(message(2))).toBe(true);
    expect(count.announce(message(1))).toBe(false);
    expect(count.count).toBe(2);
  });

  it('tells messages apart by account, mailbox, UIDVALIDITY and UID', () => {
    const count = new NewMailCount();
    count.announce(message(1));
    count.announce(message(1, 'Lists'));
    count.announce(message(1, 'INBOX', 'home'));
    count.announce(message(1, 'INBOX', 'work', 8));
    expect(count.count).toBe(4);
    expect(count.withdraw(message(1, 'Lists'))).toBe(true);
    expect(count.count).toBe(3);
  });

  it('drops a withdrawn message, and ignores a withdrawal of one it never counted', () => {
    const count = new NewMailCount();
    count.announce(message(1));
    count.announce(message(2));
    expect(count.withdraw(message(2))).toBe(true);
    expect(count.withdraw(message(2))).toBe(false);
    expect(count.withdraw(message(99))).toBe(false);
    expect(count.count).toBe(1);
  });

  it('starts again from zero when the user looks; what came before is no longer withdrawn', () => {
    const count = new NewMailCount();
    count.announce(message(1));
    count.announce(message(2));
    expect(count.look()).toBe(true);
    expect(count.count).toBe(0);
    expect(count.look()).toBe(false);
    expect(count.withdraw(message(1))).toBe(false);
    count.announce(message(3));
    expect(count.count).toBe(1);
  });

  it('keeps counting past its memory, forgetting the oldest keys only', () => {
    const count = new NewMailCount(3);
    for (let uid = 1; uid <= 5; uid++) count.announce(message(uid));
    expect(count.count).toBe(5);
    // The two oldest are forgotten by key: withdrawing them cannot lower the count.
    expect(count.withdraw(message(1))).toBe(false);
    expect(count.withdraw(message(5))).toBe(true);
    expect(count.count).toBe(4);
    expect(count.look()).toBe(true);
    expect(count.count).toBe(0);
  });

  it('holds at most its bound of keys in a storm far beyond it', () => {
    const count = new NewMailCount();
    const storm = REMEMBERED_NEW_MESSAGES * 20;
    for (let uid = 1; uid <= storm; uid++) count.announce(message(uid));
    expect(count.count).toBe(storm);
    expect((count as unknown as { keys: Set<string> }).keys.size).toBe(REMEMBERED_NEW_MESSAGES);
  });
});
