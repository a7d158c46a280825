/**
 * The resync's order of work against a fake session (the real one is tested against Dovecot
 * in resync-backlog.test.ts): chunks of bounded size, each announced before the cursor moves
 * past it, and a backlog far beyond what a spread into `Math.max` survives.
 */
import type { FetchMessageObject } from 'imapflow';
import { describe, expect, it } from 'vitest';
import type { NewMessage } from '../../../app/main/engine/base/announcement.js';
import type { Announcer } from '../../../app/main/engine/watch/announcer.js';
import type { ImapSession } from '../../../app/main/engine/imap/imap-session.js';
import { RESYNC_CHUNK, syncMailbox } from '../../../app/main/engine/watch/mailbox-sync.js';
import type { MailboxCursor } from '../../../app/main/engine/base/ports.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';

type Step = { kind: 'fetch'; first: number; last: number } | { kind: 'announce'; uids: number[] };
type Event = Step | { kind: 'cursor'; cursor: MailboxCursor };

/** A selected mailbox holding `uids`; every UID divisible by `seenEvery` is \Seen. */
function fakeSession(uids: number[], events: Event[], seenEvery = 0): ImapSession {
  const message = (uid: number): FetchMessageObject =>
    ({
      seq: uid,
      uid,
      flags: new Set(seenEvery && uid % seenEvery === 0 ? ['\\Seen'] : []),
      envelope: { messageId: `<m${uid}@x>`, subject: `m ${uid}`, from: [] },
    }) as unknown as FetchMessageObject;
  const session = {
    uidsAbove: async (uid: number) => uids.filter((candidate) => candidate > uid),
    fetchRange: async (first: number, last: number) => {
      events.push({ kind: 'fetch', first, last });
      return uids.filter((uid) => uid >= first && uid <= last).map(message);
    },
    countUnseen: async () => 0,
  };
  return session as unknown as ImapSession;
}

function recordingAnnouncer(events: Event[]): Announcer {
  const announce = (_account: string, _mailbox: string, messages: readonly NewMessage[]) => {
    events.push({ kind: 'announce', uids: messages.map((m) => m.uid) });
    return [];
  };
  return { announce } as unknown as Announcer;
}

function recordingStore(events: Event[], cursor: MailboxCursor): MemoryStateStore {
  const store = new MemoryStateStore();
  store.setCursor('a', 'INBOX', cursor);
  const setCursor = store.setCursor.bind(store);
  store.setCursor = (account, mailbox, next) => {
    events.push({ kind: 'cursor', cursor: { ...next } });
    setCursor(account, mailbox, next);
  };
  return store;
}

const selected = { uidValidity: 7, uidNext: 1, exists: 0 };

describe('syncMailbox', () => {
  it('goes through a backlog of 200,000 UIDs in chunks, announcing each before moving the cursor past it', async () => {
    const uids = Array.from({ length: 200_000 }, (_, i) => 10 + 2 * i);
    const events: Event[] = [];
    const store = recordingStore(events, { uidValidity: 7, highestUid: 9 });
    const result = await syncMailbox(
      fakeSession(uids, events, 3),
      selected,
      'a',
      'INBOX',
      store,
      recordingAnnouncer(events),
    );
    expect(result.baseline).toBeUndefined();
    const fetches = events.filter((event) => event.kind === 'fetch');
    expect(fetches).toHaveLength(200_000 / RESYNC_CHUNK);
    expect(fetches[0]).toEqual({ kind: 'fetch', first: 10, last: 10 + 2 * (RESYNC_CHUNK - 1) });
    // Every cursor write comes after the announcement of each unseen UID it passes.
    const announced = new Set<number>();
    let cursorWrites = 0;
    for (const event of events) {
      if (event.kind === 'announce') for (const uid of event.uids) announced.add(uid);
      if (event.kind !== 'cursor') continue;
      cursorWrites++;
      const passed = uids.filter((uid) => uid <= event.cursor.highestUid && uid % 3 !== 0);
      expect(passed.every((uid) => announced.has(uid))).toBe(true);
    }
    expect(cursorWrites).toBe(200_000 / RESYNC_CHUNK);
    expect(announced.size).toBe(uids.filter((uid) => uid % 3 !== 0).length);
    // Seen messages are not announced, but the cursor passes them: the last UID is seen.
    expect(store.getCursor('a', 'INBOX')).toEqual({ uidValidity: 7, highestUid: uids.at(-1) });
  });

  it('leaves the cursor alone when nothing is new', async () => {
    const events: Event[] = [];
    const store = recordingStore(events, { uidValidity: 7, highestUid: 5 });
    await syncMailbox(
      fakeSession([1, 2, 5], events),
      selected,
      'a',
      'INBOX',
      store,
      recordingAnnouncer(events),
    );
    expect(events).toEqual([]);
  });

  it('baselines again, announcing nothing, when the saved cursor belongs to another server', async () => {
    const events: Event[] = [];
    const store = recordingStore(events, {
      uidValidity: 7,
      highestUid: 2,
      server: 'ann@imap.old.test:993',
    });
    const session = fakeSession([1, 2, 3, 4, 5], events);
    const moved = { uidValidity: 7, uidNext: 6, exists: 5 };
    const result = await syncMailbox(
      session,
      moved,
      'a',
      'INBOX',
      store,
      recordingAnnouncer(events),
      'ann@imap.new.test:993',
    );
    expect(result.baseline).toBe('server-changed');
    expect(events.filter((event) => event.kind === 'announce')).toEqual([]);
    expect(store.getCursor('a', 'INBOX')).toEqual({
      uidValidity: 7,
      highestUid: 5,
      server: 'ann@imap.new.test:993',
    });
    // A cursor from before cursors named their server is adopted, not baselined.
    store.setCursor('b', 'INBOX', { uidValidity: 7, highestUid: 3 });
    const adopted = await syncMailbox(
      session,
      moved,
      'b',
      'INBOX',
      store,
      recordingAnnouncer(events),
      'ann@imap.new.test:993',
    );
    expect(adopted.baseline).toBeUndefined();
    expect(events.filter((event) => event.kind === 'announce').at(-1)).toEqual({
      kind: 'announce',
      uids: [4, 5],
    });
  });

  it('with CONDSTORE, skips both searches when HIGHESTMODSEQ is what the last full sync saw', async () => {
    const events: Event[] = [];
    const searches: string[] = [];
    const session = {
      uidsAbove: async (uid: number) => (searches.push(`uid>${uid}`), uid < 4 ? [4] : []),
      fetchRange: async (first: number, last: number) => {
        events.push({ kind: 'fetch', first, last });
        return [{ seq: 4, uid: 4, flags: new Set(), envelope: { subject: 'x', from: [] } }];
      },
      countUnseen: async () => (searches.push('unseen'), 2),
    } as unknown as ImapSession;
    const store = recordingStore(events, { uidValidity: 7, highestUid: 3 });
    const announcer = recordingAnnouncer(events);
    const at = (uidNext: number, highestModseq: string) => ({
      uidValidity: 7,
      uidNext,
      exists: 4,
      highestModseq,
    });
    // The first full sync keeps the mod-sequence its SELECT saw, with the count found after it.
    await syncMailbox(session, at(5, '40'), 'a', 'INBOX', store, announcer);
    expect(store.getCursor('a', 'INBOX')).toEqual({
      uidValidity: 7,
      highestUid: 4,
      highestModseq: '40',
      unread: 2,
    });
    expect(searches).toEqual(['uid>3', 'unseen']);
    // Reconnected, nothing changed: no search at all, the count from the cursor.
    const same = await syncMailbox(session, at(5, '40'), 'a', 'INBOX', store, announcer);
    expect(same).toEqual({ announced: 0, unread: 2, markBefore: 4, markAfter: 4, found: 0 });
    expect(searches).toEqual(['uid>3', 'unseen']);
    // A flag changed elsewhere: the mod-sequence moved, so both searches run again.
    await syncMailbox(session, at(5, '41'), 'a', 'INBOX', store, announcer);
    expect(searches).toEqual(['uid>3', 'unseen', 'uid>4', 'unseen']);
    expect(store.getCursor('a', 'INBOX')?.highestModseq).toBe('41');
  });

  it('re-baselines a mailbox recreated with mail in it: nothing of it announced, the mark at its UIDNEXT - 1', async () => {
    const events: Event[] = [];
    // The old mailbox had its mark at 2; the new one (UIDVALIDITY 9) already holds UIDs 1–5.
    const store = recordingStore(events, { uidValidity: 7, highestUid: 2 });
    const result = await syncMailbox(
      fakeSession([1, 2, 3, 4, 5], events),
      { uidValidity: 9, uidNext: 6, exists: 5 },
      'a',
      'INBOX',
      store,
      recordingAnnouncer(events),
    );
    expect(result.baseline).toBe('uidvalidity-changed');
    expect(events.filter((e) => e.kind === 'announce' && e.uids.length > 0)).toEqual([]);
    expect(store.getCursor('a', 'INBOX')).toMatchObject({ uidValidity: 9, highestUid: 5 });
  });

  it('moves the mark up to UIDNEXT - 1 past messages expunged before it saw them', async () => {
    const events: Event[] = [];
    const store = recordingStore(events, { uidValidity: 7, highestUid: 3 });
    // UIDs 4 to 9 came and went while nobody watched; SELECT says UIDNEXT 10.
    await syncMailbox(
      fakeSession([], events),
      { uidValidity: 7, uidNext: 10, exists: 3 },
      'a',
      'INBOX',
      store,
      recordingAnnouncer(events),
    );
    expect(store.getCursor('a', 'INBOX')).toEqual({ uidValidity: 7, highestUid: 9 });
  });
});

describe('syncMailbox with previews', () => {
  /** A session whose FETCH asking for previews fails (`usable` after it or not). */
  function failingPreviewSession(usable: boolean, asked: Array<number | undefined>) {
    const session = {
      usable,
      uidsAbove: async (uid: number) => [10, 11].filter((candidate) => candidate > uid),
      fetchRange: async (first: number, last: number, _count: number, previewBytes?: number) => {
        asked.push(previewBytes);
        if (previewBytes) throw new Error('NO [SERVERBUG] cannot build BODYSTRUCTURE');
        return [first, last].map(
          (uid) =>
            ({
              uid,
              flags: new Set(),
              envelope: { messageId: `<p${uid}@x>`, subject: `m ${uid}`, from: [] },
            }) as unknown as FetchMessageObject,
        );
      },
      countUnseen: async () => 2,
    };
    return session as unknown as ImapSession;
  }

  it('fetches again without previews when the FETCH asking for them is refused, the gate left as it was', async () => {
    const asked: Array<number | undefined> = [];
    const events: Event[] = [];
    let failures = 0;
    const result = await syncMailbox(
      failingPreviewSession(true, asked),
      { uidValidity: 7, uidNext: 12, exists: 2 },
      'a',
      'INBOX',
      recordingStore(events, { uidValidity: 7, highestUid: 9 }),
      recordingAnnouncer(events),
      undefined,
      { admit: () => true, failed: () => failures++ },
    );
    expect(asked).toEqual([4096, undefined]);
    // These messages are past: the next mail is previewed again.
    expect(failures).toBe(0);
    expect(events.filter((event) => event.kind === 'announce')).toEqual([
      { kind: 'announce', uids: [10, 11] },
    ]);
    expect(result.markAfter).toBe(11);
  });

  it('throws when the connection is lost with it, the cursor unmoved, and tells the gate', async () => {
    const asked: Array<number | undefined> = [];
    const events: Event[] = [];
    let failures = 0;
    const store = recordingStore(events, { uidValidity: 7, highestUid: 9 });
    await expect(
      syncMailbox(
        failingPreviewSession(false, asked),
        { uidValidity: 7, uidNext: 12, exists: 2 },
        'a',
        'INBOX',
        store,
        recordingAnnouncer(events),
        undefined,
        { admit: () => true, failed: () => failures++ },
      ),
    ).rejects.toThrow(/BODYSTRUCTURE/);
    expect(asked).toEqual([4096]);
    expect(failures).toBe(1);
    expect(store.getCursor('a', 'INBOX')).toEqual({ uidValidity: 7, highestUid: 9 });
  });
});
