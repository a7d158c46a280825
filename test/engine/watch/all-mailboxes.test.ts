/**
 * `"mailboxes": "all"` (issue 23): every folder that can hold new mail, without listing
 * them, following the tree as it changes. The choice itself without a server; then a real
 * Dovecot whose SPECIAL-USE marks Bin, Spam, Outgoing and Entwürfe (names no rule would
 * guess), and the usual names (Sent, Junk, Trash) unmarked: over NOTIFY and without it.
 */
import { describe, expect, it, onTestFailed } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { chooseAll, MAX_ALL_MAILBOXES } from '../../../app/main/engine/imap/all-mailboxes.js';
import type { ListedMailbox } from '../../../app/main/engine/imap/index.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  fastLiveness,
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

const box = (path: string, flags: string[] = [], specialUse?: string): ListedMailbox => ({
  path,
  flags,
  delimiter: '/',
  ...(specialUse ? { specialUse } : {}),
});

describe('chooseAll', () => {
  it('takes every selectable mailbox but the special uses that hold no new mail, INBOX first', () => {
    const listed = [
      box('Work'),
      box('INBOX'),
      box('Archive', [], '\\Archive'),
      box('[Gmail]', ['\\Noselect']),
      box('[Gmail]/All Mail', ['\\All']),
      box('[Gmail]/Starred', ['\\Flagged']),
      box('[Gmail]/Important', ['\\Important']),
      box('Bin', ['\\Trash']),
      box('Papierkorb', [], '\\Trash'),
      box('Deleted Items'),
      box('Lists/Sent'),
      box('Junk E-mail'),
      box('Gone', ['\\NonExistent']),
    ];
    expect(chooseAll(listed)).toEqual({
      watched: ['INBOX', 'Work', 'Archive'],
      qualified: 3,
      unmatched: [],
    });
  });

  it('leaves out what ignoreMailboxes names, by name or with *, and says which matched nothing', () => {
    const listed = ['INBOX', 'Lists/Team', 'Lists/Dev', 'Listsmith', 'Receipts'].map((p) => box(p));
    const found = chooseAll(listed, ['Lists/*', 'receipts', 'Receipts', 'Old*'], []);
    expect(found.watched).toEqual(['INBOX', 'Listsmith']);
    expect(found.unmatched).toEqual(['receipts', 'Old*']);
  });

  it("never watches another user's or a shared namespace", () => {
    const listed = ['INBOX', 'Work', 'Other Users/bob/INBOX', 'Shared/team'].map((p) => box(p));
    expect(chooseAll(listed, [], ['Other Users/', 'Shared/']).watched).toEqual(['INBOX', 'Work']);
  });

  it(`watches at most ${MAX_ALL_MAILBOXES} and counts the rest`, () => {
    const listed = Array.from({ length: MAX_ALL_MAILBOXES + 5 }, (_, i) => box(`F${i}`));
    const found = chooseAll(listed);
    expect(found.watched).toHaveLength(MAX_ALL_MAILBOXES);
    expect(found.qualified).toBe(MAX_ALL_MAILBOXES + 5);
  });
});

let dovecot: Dovecot;
let users = 0;
const { cleanups } = useDovecotSuite((started) => (dovecot = started), {
  specialUse: { Bin: '\\Trash', Spam: '\\Junk', Outgoing: '\\Sent', Entwürfe: '\\Drafts' },
});

async function userWith(server: Dovecot, mailboxes: string[]): Promise<string> {
  const user = `all${++users}`;
  server.addUser(user, 'pw');
  await server.withClient(user, async (client) => {
    for (const mailbox of mailboxes) await client.mailboxCreate(mailbox);
  });
  return user;
}

async function deliver(
  server: Dovecot,
  user: string,
  mailbox: string,
  messageId = newMessageId(),
): Promise<string> {
  await server.append(user, mailbox, [buildMessage({ messageId, subject: mailbox })]);
  return messageId;
}

function watchAll(server: Dovecot, user: string, extra: Record<string, unknown> = {}) {
  const settings = testSettings(
    [{ ...testAccount(server, 'a', user, 'pw', ['INBOX']), mailboxes: 'all', ...extra }],
    5,
    fastLiveness,
  );
  // What the engine logged, down to each STATUS and resync, printed when a test fails.
  const log: string[] = [];
  const line = (level: string) => (message: string) =>
    log.push(`${new Date().toISOString().slice(11, 23)} ${level} ${message}`);
  onTestFailed(() => console.info(`engine log:\n${log.join('\n')}`));
  const logger = { debug: line('D'), info: line('I'), warn: line('W'), error: line('E') };
  const engine = startEngine(settings, undefined, { logger });
  cleanups.push(() => engine.supervisor.stop());
  return engine;
}

/** The mailboxes whose latest status is `idle`, sorted. */
function idleMailboxes(engine: EngineRun): string[] {
  const latest = new Map<string, WatcherStatus>();
  for (const status of engine.supervisor.getStatuses()) latest.set(status.mailbox, status);
  return [...latest.values()]
    .filter((status) => status.state === 'idle')
    .map((status) => status.mailbox)
    .sort();
}

async function untilIdle(engine: EngineRun, expected: string[], what: string): Promise<void> {
  const sorted = [...expected].sort();
  await engine.statuses.waitFor(
    () => JSON.stringify(idleMailboxes(engine)) === JSON.stringify(sorted),
    what,
    20_000,
  );
}

async function announced(engine: EngineRun, id: string): Promise<void> {
  await engine.announcements.waitFor((a) => a.message.messageId === id, `mail ${id}`, 20_000);
}

describe('"mailboxes": "all" on Dovecot', { timeout: 90_000 }, () => {
  it('watches every folder that can hold new mail, and follows folders created, renamed and deleted', async () => {
    const user = await userWith(dovecot, ['Work', 'Lists', 'Sent', 'Junk', 'Trash']);
    const old = await deliver(dovecot, user, 'Work');
    const engine = watchAll(dovecot, user);
    await untilIdle(engine, ['INBOX', 'Lists', 'Work'], 'INBOX, Lists and Work idle');
    const work = engine.supervisor.getStatuses().find((s) => s.mailbox === 'Work');
    expect(work?.detail).toMatch(/^watching \(NOTIFY\), all 3 folders/);

    // Mail in a special-use folder is not new mail; in a watched one it is.
    await deliver(dovecot, user, 'Bin');
    await deliver(dovecot, user, 'Sent');
    const inWork = await deliver(dovecot, user, 'Work');
    await announced(engine, inWork);

    // Created while watched, with a message already in it when Tidings first looks.
    await dovecot.withClient(user, (c) => c.mailboxCreate('Projects'));
    const inProjects = await deliver(dovecot, user, 'Projects');
    await announced(engine, inProjects);
    await untilIdle(engine, ['INBOX', 'Lists', 'Projects', 'Work'], 'Projects idle');

    // Renamed: its mark moves with it, nothing in it is announced again.
    await dovecot.withClient(user, (c) => c.mailboxRename('Work', 'Job'));
    const inJob = await deliver(dovecot, user, 'Job');
    await announced(engine, inJob);
    await untilIdle(engine, ['INBOX', 'Job', 'Lists', 'Projects'], 'Job idle, Work gone');

    // Deleted: dropped quietly, no error.
    await dovecot.withClient(user, (c) => c.mailboxDelete('Lists'));
    await untilIdle(engine, ['INBOX', 'Job', 'Projects'], 'Lists gone');
    expect(engine.statuses.items.filter((s) => s.state === 'error')).toEqual([]);

    // The same message in three folders (Gmail's labels) is announced once.
    const labelled = newMessageId();
    for (const mailbox of ['INBOX', 'Job', 'Projects']) {
      await deliver(dovecot, user, mailbox, labelled);
    }
    await announced(engine, labelled);
    const from = engine.statuses.items.length;
    engine.supervisor.refresh();
    await engine.statuses.waitFor((s) => s.state === 'idle', 'idle after a refresh', 20_000, from);
    expect(announcedIds(engine.announcements)).toEqual([inWork, inProjects, inJob, labelled]);
    expect(announcedIds(engine.announcements)).not.toContain(old);
  });

  it('leaves out the folders SPECIAL-USE marks, and what ignoreMailboxes names', async () => {
    const user = await userWith(dovecot, ['Receipts', 'Lists', 'Listserv']);
    const engine = watchAll(dovecot, user, { ignoreMailboxes: ['Lists*', 'Nothing*'] });
    // Bin, Spam, Outgoing and Entwürfe exist (Dovecot creates them) and are marked.
    await untilIdle(engine, ['INBOX', 'Receipts'], 'INBOX and Receipts idle');
    for (const mailbox of ['Spam', 'Entwürfe', 'Bin', 'Outgoing', 'Lists', 'Listserv']) {
      await deliver(dovecot, user, mailbox);
    }
    const receipt = await deliver(dovecot, user, 'Receipts');
    await announced(engine, receipt);
    const from = engine.statuses.items.length;
    engine.supervisor.refresh();
    await engine.statuses.waitFor((s) => s.state === 'idle', 'idle after a refresh', 20_000, from);
    expect(announcedIds(engine.announcements)).toEqual([receipt]);
    expect(idleMailboxes(engine)).toEqual(['INBOX', 'Receipts']);
  });

  it('without NOTIFY: INBOX by IDLE, the rest polled, and a new folder found at the next poll', async () => {
    const plain = await startDovecot({}, undefined, { withoutCapabilities: ['NOTIFY'] });
    cleanups.push(() => plain.stop());
    const user = await userWith(plain, ['Work', 'Trash']);
    const engine = watchAll(plain, user, { pollSeconds: 5 });
    await untilIdle(engine, ['INBOX', 'Work'], 'INBOX and Work idle');
    const via = Object.fromEntries(
      engine.supervisor.getStatuses().map((status) => [status.mailbox, status.via]),
    );
    expect(via).toEqual({ INBOX: 'idle', Work: 'poll' });
    await plain.withClient(user, (c) => c.mailboxCreate('Later'));
    const later = await deliver(plain, user, 'Later');
    await announced(engine, later);
    expect(announcedIds(engine.announcements)).toEqual([later]);
  });
});
