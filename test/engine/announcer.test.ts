import { describe, expect, it } from 'vitest';
import type { Announcement, NewMessage } from '../../app/main/engine/announcement.js';
import { describeAnnouncement } from '../../app/main/engine/announcement.js';
import { Announcer, REMEMBERED_MESSAGE_IDS } from '../../app/main/engine/announcer.js';
import { systemClock } from '../../app/main/engine/ports.js';
import { MemoryStateStore } from '../support/memory-state-store.js';

function message(uid: number, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    account: 'work',
    mailbox: 'INBOX',
    uidValidity: 7,
    uid,
    messageId: `<m${uid}@test>`,
    from: `Sender ${uid} <s${uid}@test>`,
    subject: `Subject ${uid}`,
    ...overrides,
  };
}

function setup(burstThreshold = 5, store = new MemoryStateStore()) {
  const shown: Announcement[] = [];
  const announcer = new Announcer(
    store,
    { notify: (a) => shown.push(a) },
    () => burstThreshold,
    systemClock,
  );
  return { announcer, shown, store };
}

describe('Announcer', () => {
  it('announces each message of a small sync on its own', () => {
    const { announcer, shown } = setup(5);
    announcer.announce('work', 'INBOX', [message(1), message(2)]);
    expect(shown.map((a) => (a.kind === 'message' ? a.message.uid : -1))).toEqual([1, 2]);
  });

  it('announces exactly the threshold one by one and one more as a single summary', () => {
    const atThreshold = setup(3);
    atThreshold.announcer.announce('work', 'INBOX', [message(1), message(2), message(3)]);
    expect(atThreshold.shown).toHaveLength(3);

    const above = setup(3);
    above.announcer.announce(
      'work',
      'INBOX',
      [1, 2, 3, 4].map((uid) => message(uid)),
    );
    expect(above.shown).toHaveLength(1);
    const [summary] = above.shown;
    expect(summary).toMatchObject({ kind: 'summary', count: 4, uids: [1, 2, 3, 4] });
  });

  it('announces a Message-ID once across the mailboxes of an account', () => {
    const { announcer, shown } = setup();
    announcer.announce('work', 'INBOX', [message(1, { messageId: '<same@test>' })]);
    announcer.announce('work', 'Filtered', [
      message(9, { mailbox: 'Filtered', messageId: '<same@test>' }),
    ]);
    expect(shown).toHaveLength(1);
  });

  it('keeps Message-IDs apart between accounts', () => {
    const { announcer, shown } = setup();
    announcer.announce('work', 'INBOX', [message(1, { messageId: '<same@test>' })]);
    announcer.announce('home', 'INBOX', [
      message(1, { account: 'home', messageId: '<same@test>' }),
    ]);
    expect(shown).toHaveLength(2);
  });

  it('announces messages without a Message-ID (their UID already makes them unique)', () => {
    const { announcer, shown } = setup();
    announcer.announce('work', 'INBOX', [
      message(1, { messageId: null }),
      message(2, { messageId: null }),
    ]);
    expect(shown).toHaveLength(2);
  });

  it('remembers announced Message-IDs across restarts through the store', () => {
    const store = new MemoryStateStore();
    setup(5, store).announcer.announce('work', 'INBOX', [message(1)]);
    const restarted = setup(5, store);
    restarted.announcer.announce('work', 'INBOX', [message(1)]);
    expect(restarted.shown).toHaveLength(0);
  });

  it('forgets the oldest Message-IDs beyond the limit', () => {
    const { announcer, store } = setup(REMEMBERED_MESSAGE_IDS + 10);
    const many = Array.from({ length: REMEMBERED_MESSAGE_IDS + 3 }, (_, i) => message(i + 1));
    announcer.announce('work', 'INBOX', many);
    const kept = store.getAnnouncedMessageIds('work');
    expect(kept).toHaveLength(REMEMBERED_MESSAGE_IDS);
    expect(kept[0]).toBe('<m4@test>');
  });
});

describe('describeAnnouncement', () => {
  it('uses sender as title and subject as body', () => {
    const text = describeAnnouncement(
      { kind: 'message', message: message(1), at: new Date() },
      'Work',
    );
    expect(text).toEqual({ title: 'Sender 1 <s1@test>', body: 'Subject 1' });
  });

  it('summarises a burst with a few sender names', () => {
    const text = describeAnnouncement(
      {
        kind: 'summary',
        account: 'work',
        mailbox: 'INBOX',
        count: 17,
        uids: [],
        messageIds: [],
        senders: ['Ann', 'Bob', 'Cy', 'Dee'],
        at: new Date(),
      },
      'Work',
    );
    expect(text).toEqual({
      title: '17 new messages in Work',
      body: 'INBOX — from Ann, Bob, Cy, …',
    });
  });
});
