/**
 * The round's bookkeeping, without a socket: which mailboxes are due for a resync, judged
 * against the cursor when the round asks, with nothing forgotten unanswered.
 */
import { describe, expect, it } from 'vitest';
import type { MailboxStatus } from '../../../app/main/engine/imap/mailbox-status.js';
import { MailboxNews } from '../../../app/main/engine/watch/mailbox-news.js';
import { seededRandom } from '../../support/interleaving.js';

/** News judged against marks the test moves, as a resync would. */
function newsWithMarks(marks: Record<string, number>) {
  const news = new MailboxNews(
    (mailbox, status) => status.uidNext === undefined || status.uidNext - 1 > (marks[mailbox] ?? 0),
  );
  return { news, marks };
}

const status = (path: string, uidNext: number): MailboxStatus => ({
  path,
  uidNext,
  uidValidity: 1,
});

describe('MailboxNews', () => {
  it('judges a push that came during a resync against the mark the resync left', () => {
    const { news, marks } = newsWithMarks({ INBOX: 3 });
    expect(news.noteStatus('INBOX', status('INBOX', 5))).toBe(true);
    news.startSync('INBOX');
    // The same news again, pushed twice by the server while the resync runs.
    news.noteStatus('INBOX', status('INBOX', 5));
    marks.INBOX = 4;
    expect(news.due('INBOX')).toBe(false);
  });

  it('keeps a mailbox due while its STATUS is ahead of the mark, whenever it came', () => {
    const { news, marks } = newsWithMarks({ Work: 1 });
    news.startSync('Work');
    news.noteStatus('Work', status('Work', 4));
    marks.Work = 2;
    expect(news.dueAmong(['INBOX', 'Work'])).toEqual(['Work']);
  });

  it('keeps news without numbers until a resync that began after it', () => {
    const { news } = newsWithMarks({ INBOX: 0 });
    news.startSync('INBOX');
    news.noteChange('INBOX');
    expect(news.due('INBOX')).toBe(true);
    news.startSync('INBOX');
    expect(news.due('INBOX')).toBe(false);
  });

  it('lets a STATUS asked after the news answer it, but not one pushed', () => {
    const { news } = newsWithMarks({ Work: 2 });
    news.noteChange('Work');
    news.noteStatus('Work', status('Work', 3));
    expect(news.due('Work')).toBe(true);
    const askedAt = news.now();
    news.noteStatus('Work', status('Work', 3), askedAt);
    expect(news.due('Work')).toBe(false);
  });

  it('does not let a STATUS asked before the news answer it', () => {
    const { news } = newsWithMarks({ Work: 2 });
    const askedAt = news.now();
    news.noteChange('Work');
    news.noteStatus('Work', status('Work', 3), askedAt);
    expect(news.due('Work')).toBe(true);
  });

  it('holds a mailbox back for the rest of the round, and makes it due again after the wait', () => {
    const { news } = newsWithMarks({ Work: 0 });
    news.noteChange('Work');
    news.defer('Work');
    expect(news.due('Work')).toBe(false);
    expect(news.holdsBack).toBe(true);
    news.endWait();
    expect(news.due('Work')).toBe(true);
  });

  it('keeps what earlier STATUS said when a push leaves it out, but not a UIDNEXT of another UIDVALIDITY', () => {
    const { news } = newsWithMarks({});
    news.noteStatus('Work', { path: 'Work', uidNext: 9, uidValidity: 1, unseen: 2 });
    news.noteStatus('Work', { path: 'Work', unseen: 1 });
    expect(news.latest('Work')).toMatchObject({ uidNext: 9, uidValidity: 1, unseen: 1 });
    news.noteStatus('Work', { path: 'Work', uidValidity: 2 });
    expect(news.latest('Work')?.uidNext).toBeUndefined();
  });

  it('forgets a mailbox entirely', () => {
    const { news } = newsWithMarks({ Work: 0 });
    news.noteStatus('Work', status('Work', 4));
    news.noteChange('Work');
    news.forget('Work');
    expect(news.due('Work')).toBe(false);
    expect(news.latest('Work')).toBeUndefined();
  });
});

describe('MailboxNews counts after a resync (issue 24)', () => {
  it('keeps what a resync found as the counts to compare with, and what is due as it was', () => {
    const { news, marks } = newsWithMarks({ INBOX: 9 });
    news.noteStatus('INBOX', { path: 'INBOX', uidNext: 12, messages: 7, unseen: 3 });
    marks.INBOX = 10;
    // The resync left the mark at 10: the STATUS's UIDNEXT 12 stays, and INBOX stays due.
    news.noteCounts('INBOX', { messages: 6, unseen: 2 });
    expect(news.latest('INBOX')).toMatchObject({ uidNext: 12, messages: 6, unseen: 2 });
    expect(news.due('INBOX')).toBe(true);
    marks.INBOX = 11;
    expect(news.due('INBOX')).toBe(false);
    // Counts the server's STATUS never gave are not made up.
    news.noteStatus('Work', { path: 'Work', uidNext: 4 });
    news.noteCounts('Work', { messages: 3, unseen: 1 });
    expect(news.latest('Work')).toEqual({ path: 'Work', uidNext: 4 });
  });

  it('asks after announced mail once for news that may be about it, until a resync takes it', () => {
    const { news } = newsWithMarks({ INBOX: 1 });
    news.noteTouched('INBOX');
    expect(news.due('INBOX')).toBe(true);
    expect(news.takeTouched('INBOX')).toBe(true);
    expect(news.takeTouched('INBOX')).toBe(false);
  });
});

describe('MailboxNews.dueAmong, which looks again only where something happened (issue 23)', () => {
  const mailboxes = ['INBOX', 'Work', 'Lists', 'Archive/2026', 'Spam?'];

  /**
   * Random rounds as a watcher makes them: STATUS pushed or asked, news without numbers,
   * counts, resyncs begun, marks moved up or down (told, as the watcher's store tells of
   * every cursor it writes), hold-backs, waits, forgotten mailboxes and new watched lists.
   * After each step `dueAmong` must say what asking `due` of every watched mailbox says.
   */
  it('answers as asking `due` of every watched mailbox would, over 300 random runs', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const { news, marks } = newsWithMarks({});
      let watched = mailboxes.filter(() => random() < 0.8);
      for (let step = 0; step < 60; step++) {
        const mailbox = pick(mailboxes);
        const op = pick([
          'push',
          'asked',
          'change',
          'counts',
          'start',
          'move',
          'defer',
          'wait',
          'forget',
          'list',
        ]);
        if (op === 'push') news.noteStatus(mailbox, status(mailbox, 1 + Math.floor(random() * 6)));
        if (op === 'asked') {
          news.noteStatus(mailbox, status(mailbox, 1 + Math.floor(random() * 6)), news.now());
        }
        if (op === 'change') news.noteChange(mailbox);
        if (op === 'counts') news.noteCounts(mailbox, { messages: step, unseen: 1 });
        if (op === 'start') news.startSync(mailbox);
        if (op === 'move') {
          // A resync's or a baseline's write: the mark moves, up or (a new UIDVALIDITY) down.
          marks[mailbox] = Math.floor(random() * 6);
          news.noteCursor(mailbox);
        }
        if (op === 'defer') news.defer(mailbox);
        if (op === 'wait') news.endWait();
        if (op === 'forget') news.forget(mailbox);
        if (op === 'list') watched = mailboxes.filter(() => random() < 0.8);
        const expected = watched.filter((name) => news.due(name));
        expect(news.dueAmong(watched), `seed ${seed}, step ${step} (${op} ${mailbox})`).toEqual(
          expected,
        );
      }
    }
  });

  it('compares a mailbox again when its mark was moved back, with nothing else noted', () => {
    const { news, marks } = newsWithMarks({ Work: 5 });
    news.noteStatus('Work', status('Work', 6));
    expect(news.dueAmong(['INBOX', 'Work'])).toEqual([]);
    expect(news.dueAmong(['INBOX', 'Work'])).toEqual([]);
    marks.Work = 2; // a recreated mailbox: baselined lower
    news.noteCursor('Work');
    expect(news.dueAmong(['INBOX', 'Work'])).toEqual(['Work']);
  });
});
