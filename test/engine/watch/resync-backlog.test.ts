/**
 * A backlog of 10^5 new messages found on reconnect, against a real Dovecot: the resync goes
 * in chunks (no unbounded FETCH, no `Math.max` spread over 10^5 arguments), announces every
 * message exactly once and persists the cursor chunk by chunk. The mail is written straight
 * into the user's Maildir: APPENDing 10^5 messages would take minutes.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Announcement } from '../../../app/main/engine/base/announcement.js';
import { ConfStateStore } from '../../../app/main/engine/node/conf-state-store.js';
import {
  silentLogger,
  type MailboxCursor,
  type StateStore,
} from '../../../app/main/engine/base/ports.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { startEngine, testAccount, testSettings } from '../../support/engine-harness.js';
import { EventLog } from '../../support/event-log.js';
import { deliverToMaildir } from '../../support/maildir.js';

const BACKLOG = 100_000;
/** The most UIDs one persisted step of the cursor may cover. */
const MAX_CHUNK = 2_000;

let dovecot: Dovecot;

beforeAll(async () => {
  // 10^5 files are written and renamed, then read by Dovecot: a tmpfs keeps that in seconds.
  const parentDir = existsSync('/dev/shm') ? '/dev/shm' : undefined;
  dovecot = await startDovecot({ backlog: 'pw' }, undefined, { parentDir });
});
afterAll(async () => {
  await dovecot?.stop();
});

/** The real store, with every cursor write recorded. */
class RecordingStore implements StateStore {
  readonly cursorWrites = new EventLog<MailboxCursor>();
  constructor(private readonly inner: StateStore) {}
  getCursor(account: string, mailbox: string) {
    return this.inner.getCursor(account, mailbox);
  }
  setCursor(account: string, mailbox: string, cursor: MailboxCursor) {
    this.cursorWrites.push({ ...cursor });
    this.inner.setCursor(account, mailbox, cursor);
  }
  getAnnouncedMessageIds(account: string) {
    return this.inner.getAnnouncedMessageIds(account);
  }
  setAnnouncedMessageIds(account: string, messageIds: string[]) {
    this.inner.setAnnouncedMessageIds(account, messageIds);
  }
}

function message(index: number): string {
  return [
    'From: Backlog Sender <backlog@example.test>',
    'To: me@example.test',
    `Subject: backlog ${index}`,
    `Message-ID: <backlog-${index}@test.tidings.invalid>`,
    '',
    'Body.',
    '',
  ].join('\r\n');
}

function uidsOf(announcements: readonly Announcement[]): number[] {
  return announcements.map((a) => a.message.uid);
}

it('announces a backlog of 100,000 new messages once each and persists the cursor chunk by chunk', async () => {
  const started = Date.now();
  const settings = testSettings([testAccount(dovecot, 'a', 'backlog', 'pw')], 5, {
    heartbeatSeconds: 60,
    commandTimeoutSeconds: 5,
  });
  const first = startEngine(settings);
  await first.allIdle(settings);
  await first.supervisor.stop();

  deliverToMaildir(dovecot.maildir('backlog'), BACKLOG, message);
  const delivered = Date.now();
  // Dovecot indexes new/ on the next access; a STATUS does that before the engine comes.
  const status = await dovecot.withClient('backlog', (client) =>
    client.status('INBOX', { uidNext: true, messages: true }),
  );
  if (!status) throw new Error('STATUS INBOX failed');
  expect(status.messages).toBe(BACKLOG);
  const highestUid = (status.uidNext ?? 0) - 1;

  const store = new RecordingStore(new ConfStateStore(first.stateDir, silentLogger));
  const second = startEngine(settings, first.stateDir, { store });
  try {
    await store.cursorWrites.waitFor(
      (cursor) => cursor.highestUid === highestUid,
      `the cursor at UID ${highestUid}`,
      60_000,
    );
  } finally {
    // Stopping shows what the burst policy still holds for its summary.
    await second.supervisor.stop();
  }
  // The last write may only add CONDSTORE's mod-sequence and count: steps are the moves.
  const steps = store.cursorWrites.items
    .map((cursor) => cursor.highestUid)
    .filter((uid, i, all) => i === 0 || uid !== all[i - 1]);
  console.info(
    `backlog of ${BACKLOG}: written in ${delivered - started} ms, ` +
      `caught up ${Date.now() - delivered} ms later, in ${steps.length} cursor steps`,
  );

  const uids = uidsOf(second.announcements.items);
  expect(uids).toHaveLength(BACKLOG);
  expect(new Set(uids).size).toBe(BACKLOG);
  expect(uids.reduce((max, uid) => Math.max(max, uid), 0)).toBe(highestUid);
  expect(new ConfStateStore(first.stateDir, silentLogger).getCursor('a', 'INBOX')).toEqual({
    uidValidity: expect.any(Number),
    highestUid,
    server: expect.stringMatching(/^backlog@127\.0\.0\.1:\d+$/),
    // CONDSTORE: the mod-sequence of the last full sync and the unread count it found.
    highestModseq: expect.stringMatching(/^\d+$/),
    unread: BACKLOG,
  });
  // The cursor moved forward in chunks, never by more than one chunk at a time.
  expect(steps.length).toBeGreaterThanOrEqual(BACKLOG / MAX_CHUNK);
  steps.reduce((previous, step) => {
    expect(step).toBeGreaterThan(previous);
    expect(step - previous).toBeLessThanOrEqual(MAX_CHUNK);
    return step;
  }, 0);
}, 120_000);
