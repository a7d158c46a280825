import { describe, expect, it } from 'vitest';
import type { Announcement, NewMessage } from '../../app/main/engine/announcement.js';
import { describeAnnouncement } from '../../app/main/engine/announcement.js';
import {
  Announcer,
  BURST_WINDOW_MS,
  REMEMBERED_MESSAGE_IDS,
} from '../../app/main/engine/announcer.js';
import type { Clock } from '../../app/main/engine/ports.js';
import { ManualClock } from '../support/manual-clock.js';
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

function setup(
  burstThreshold = 5,
  store = new MemoryStateStore(),
  clock: Clock = new ManualClock(),
) {
  const shown: Announcement[] = [];
  const announcer = new Announcer(
    store,
    { notify: (a) => shown.push(a) },
    () => burstThreshold,
    clock,
  );
  return { announcer, shown, store };
}

const kinds = (shown: Announcement[]) =>
  shown.map((a) => (a.kind === 'message' ? a.message.uid : `summary of ${a.count}`));

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

describe('Announcer in a steady stream of mail', () => {
  it('shows the threshold as popups per window and holds the rest for one summary', () => {
    const clock = new ManualClock();
    const { announcer, shown } = setup(3, undefined, clock);
    for (let uid = 1; uid <= 8; uid++) {
      announcer.announce('work', 'INBOX', [message(uid)]);
      clock.advance(100);
    }
    expect(kinds(shown)).toEqual([1, 2, 3]);
    clock.advance(BURST_WINDOW_MS);
    expect(kinds(shown)).toEqual([1, 2, 3, 'summary of 5']);
    const summary = shown.at(-1);
    expect(summary?.kind === 'summary' && summary.uids).toEqual([4, 5, 6, 7, 8]);
  });

  it('keeps a storm that goes on in summary mode, and returns to popups once it is quiet', () => {
    const clock = new ManualClock();
    const { announcer, shown } = setup(2, undefined, clock);
    const uids = [1, 2, 3];
    uids.forEach((uid) => announcer.announce('work', 'INBOX', [message(uid)]));
    clock.advance(BURST_WINDOW_MS); // flushes 3
    announcer.announce('work', 'INBOX', [message(4)]); // still stormy: held
    clock.advance(BURST_WINDOW_MS); // flushes 4 alone
    clock.advance(BURST_WINDOW_MS); // a quiet window
    announcer.announce('work', 'INBOX', [message(5)]);
    expect(kinds(shown)).toEqual([1, 2, 3, 4, 5]);
    expect(shown.map((a) => a.kind)).toEqual([
      'message',
      'message',
      'message',
      'message',
      'message',
    ]);
  });

  it('folds large syncs into the running summary once the window has shown its share', () => {
    const clock = new ManualClock();
    const { announcer, shown } = setup(2, undefined, clock);
    announcer.announce(
      'work',
      'INBOX',
      [1, 2, 3].map((uid) => message(uid)),
    );
    announcer.announce(
      'work',
      'INBOX',
      [4, 5, 6].map((uid) => message(uid)),
    );
    announcer.announce('work', 'INBOX', [message(7)]);
    expect(kinds(shown)).toEqual(['summary of 3']);
    clock.advance(BURST_WINDOW_MS);
    expect(kinds(shown)).toEqual(['summary of 3', 'summary of 4']);
  });

  it('counts each mailbox on its own', () => {
    const { announcer, shown } = setup(1);
    announcer.announce('work', 'INBOX', [message(1)]);
    announcer.announce('work', 'Lists', [message(2, { mailbox: 'Lists' })]);
    expect(kinds(shown)).toEqual([1, 2]);
  });

  it('shows what it holds when the engine stops, so nothing is lost', () => {
    const { announcer, shown } = setup(1);
    announcer.announce('work', 'INBOX', [message(1)]);
    announcer.announce('work', 'INBOX', [message(2)]);
    announcer.announce('work', 'INBOX', [message(3)]);
    expect(kinds(shown)).toEqual([1]);
    announcer.flushAll();
    expect(kinds(shown)).toEqual([1, 'summary of 2']);
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
