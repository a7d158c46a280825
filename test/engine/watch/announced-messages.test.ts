/** The mail followed after its announcement: bounded per account, the oldest dropped first. */
import { describe, expect, it } from 'vitest';
import {
  AnnouncedMessages,
  changeOf,
  FOLLOWED_PER_ACCOUNT,
} from '../../../app/main/engine/watch/announced-messages.js';
import type { NewMessage } from '../../../app/main/engine/base/index.js';

const message = (mailbox: string, uid: number, account = 'a'): NewMessage => ({
  account,
  mailbox,
  uidValidity: 7,
  uid,
  messageId: `<${mailbox}-${uid}@x>`,
  from: 'Ann',
  subject: 'Hi',
});

describe('AnnouncedMessages', () => {
  it('follows each account up to its bound, forgetting the oldest across its mailboxes', () => {
    const followed = new AnnouncedMessages();
    followed.add(message('Work', 1));
    for (let uid = 1; uid < FOLLOWED_PER_ACCOUNT; uid++) followed.add(message('INBOX', uid));
    followed.add(message('INBOX', 1, 'b'));
    expect(followed.in('a', 'Work')).toHaveLength(1);
    followed.add(message('INBOX', FOLLOWED_PER_ACCOUNT));
    // Work's message was the oldest of account a; b is untouched.
    expect(followed.in('a', 'Work')).toEqual([]);
    expect(followed.in('a', 'INBOX')).toHaveLength(FOLLOWED_PER_ACCOUNT);
    expect(followed.in('b', 'INBOX')).toHaveLength(1);
    followed.add(message('INBOX', FOLLOWED_PER_ACCOUNT + 1));
    expect(followed.in('a', 'INBOX')[0]?.uid).toBe(2);
  });

  it('drops what was said, and says read for \\Seen, gone for a UID the answer left out', () => {
    const followed = new AnnouncedMessages();
    followed.add(message('INBOX', 4));
    followed.add(message('INBOX', 5));
    const [four, five] = followed.in('a', 'INBOX') as [
      ReturnType<AnnouncedMessages['in']>[number],
      ReturnType<AnnouncedMessages['in']>[number],
    ];
    expect(changeOf('a', 'INBOX', four, new Set(['\\Seen']))).toMatchObject({
      event: 'read',
      uid: 4,
    });
    expect(changeOf('a', 'INBOX', five, undefined)).toMatchObject({ event: 'gone', uid: 5 });
    expect(changeOf('a', 'INBOX', five, new Set(['\\Flagged']))).toBeUndefined();
    expect(changeOf('a', 'INBOX', five, new Set(['\\Deleted', '\\Seen']))).toMatchObject({
      event: 'gone',
    });
    followed.drop('a', 'INBOX', [four]);
    expect(followed.in('a', 'INBOX').map((m) => m.uid)).toEqual([5]);
  });
});
