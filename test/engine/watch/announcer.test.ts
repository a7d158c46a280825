import { describe, expect, it } from 'vitest';
import type { Announcement, NewMessage } from '../../../app/main/engine/base/announcement.js';
import { Announcer, REMEMBERED_MESSAGE_IDS } from '../../../app/main/engine/watch/announcer.js';
import type { Clock } from '../../../app/main/engine/base/ports.js';
import { ManualClock } from '../../support/manual-clock.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';

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

function setup(store = new MemoryStateStore(), clock: Clock = new ManualClock()) {
  const shown: Announcement[] = [];
  const announcer = new Announcer(store, { notify: (a) => shown.push(a) }, clock);
  return { announcer, shown, store, clock };
}

const uids = (shown: Announcement[]) => shown.map((a) => a.message.uid);

describe('Announcer', () => {
  it('announces each message of a sync on its own, at once', () => {
    const { announcer, shown } = setup();
    announcer.announce('work', 'INBOX', [message(1), message(2)]);
    expect(uids(shown)).toEqual([1, 2]);
  });

  it('never folds a storm into a summary nor holds any of it back: the stream never waits', () => {
    const { announcer, shown, clock } = setup();
    const storm = Array.from({ length: 1_000 }, (_, i) => message(i + 1));
    announcer.announce('work', 'INBOX', storm);
    // All of them, synchronously, in order; no timer is left to release anything later.
    expect(uids(shown)).toEqual(storm.map((m) => m.uid));
    expect((clock as ManualClock).pending).toEqual([]);
    for (let uid = 1_001; uid <= 1_050; uid++) {
      announcer.announce('work', 'INBOX', [message(uid)]);
      (clock as ManualClock).advance(200);
    }
    expect(shown).toHaveLength(1_050);
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
    setup(store).announcer.announce('work', 'INBOX', [message(1)]);
    const restarted = setup(store);
    restarted.announcer.announce('work', 'INBOX', [message(1)]);
    expect(restarted.shown).toHaveLength(0);
  });

  it('forgets the oldest Message-IDs beyond the limit', () => {
    const { announcer, store } = setup();
    const many = Array.from({ length: REMEMBERED_MESSAGE_IDS + 3 }, (_, i) => message(i + 1));
    announcer.announce('work', 'INBOX', many);
    const kept = store.getAnnouncedMessageIds('work');
    expect(kept).toHaveLength(REMEMBERED_MESSAGE_IDS);
    expect(kept[0]).toBe('<m4@test>');
  });
});
