/**
 * The engine's API against a real Dovecot: what only the engine can show (re-baselining after
 * UIDVALIDITY changes, one announcement per Message-ID across mailboxes, settings applied
 * without a restart, unread counts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import {
  announcedIds,
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

let dovecot: Dovecot;
const runs: EngineRun[] = [];
let users = 0;

beforeAll(async () => {
  dovecot = await startDovecot();
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.supervisor.stop()));
});
afterAll(async () => {
  await dovecot?.stop();
});

function newUser(): string {
  const user = `engine${++users}`;
  dovecot.addUser(user, 'pw');
  return user;
}

function run(...args: Parameters<typeof startEngine>): EngineRun {
  const started = startEngine(...args);
  runs.push(started);
  return started;
}

/** Refresh and wait until every watcher of `settings` is idle again. */
async function settle(engine: EngineRun, settings: ReturnType<typeof testSettings>) {
  const from = engine.statuses.items.length;
  engine.supervisor.refresh();
  await engine.allIdle(settings, from);
}

// Waits of up to 15 s chain here: the test's own timeout must come after the first of them.
describe('Supervisor against Dovecot', { timeout: 60_000 }, () => {
  it('re-baselines when UIDVALIDITY changes instead of announcing the old mail as new', async () => {
    const user = newUser();
    await dovecot.withClient(user, (c) => c.mailboxCreate('Work'));
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw', ['Work'])]);
    const first = run(settings);
    await first.allIdle(settings);
    const early = newMessageId();
    await dovecot.append(user, 'Work', [buildMessage({ messageId: early })]);
    await first.announcements.waitFor(() => true, 'first mail');
    await first.supervisor.stop();

    // Recreate the mailbox: same name, new UIDVALIDITY, mail with UIDs we already passed.
    await dovecot.withClient(user, async (c) => {
      await c.mailboxDelete('Work');
      await c.mailboxCreate('Work');
    });
    await dovecot.append(user, 'Work', [buildMessage(), buildMessage(), buildMessage()]);

    const second = run(settings, first.stateDir);
    await second.allIdle(settings);
    const late = newMessageId();
    await dovecot.append(user, 'Work', [buildMessage({ messageId: late })]);
    await second.announcements.waitFor(() => true, 'mail after the re-baseline');
    await settle(second, settings);
    expect(announcedIds(second.announcements)).toEqual([late]);
    const [announcement] = second.announcements.items;
    expect(announcement?.kind === 'message' && announcement.message.uid).toBe(4);
  });

  it('announces a message once when the same Message-ID lands in two watched mailboxes', async () => {
    const user = newUser();
    await dovecot.withClient(user, (c) => c.mailboxCreate('Filtered'));
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw', ['INBOX', 'Filtered'])]);
    const engine = run(settings);
    await engine.allIdle(settings);
    const shared = newMessageId();
    const marker = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: shared })]);
    await dovecot.append(user, 'Filtered', [
      buildMessage({ messageId: shared }),
      buildMessage({ messageId: marker }),
    ]);
    await engine.announcements.waitForCount(() => true, 2, 'shared and marker');
    await settle(engine, settings);
    expect(announcedIds(engine.announcements).sort()).toEqual([shared, marker].sort());
  });

  it('adds a mailbox from new settings without restarting the watchers that did not change', async () => {
    const user = newUser();
    await dovecot.withClient(user, (c) => c.mailboxCreate('Later'));
    const idle = { watchMode: 'idle' as const };
    const before = testSettings([{ ...testAccount(dovecot, 'a', user, 'pw', ['INBOX']), ...idle }]);
    const engine = run(before);
    await engine.allIdle(before);
    const from = engine.statuses.items.length;

    const after = testSettings([
      { ...testAccount(dovecot, 'a', user, 'pw', ['INBOX', 'Later']), ...idle },
    ]);
    await engine.supervisor.applySettings(after);
    await engine.statuses.waitFor(
      (s) => s.mailbox === 'Later' && s.state === 'idle',
      'Later idle',
      15_000,
      from,
    );
    const inboxChanges = engine.statuses.items.slice(from).filter((s) => s.mailbox === 'INBOX');
    expect(inboxChanges).toEqual([]);

    const id = newMessageId();
    await dovecot.append(user, 'Later', [buildMessage({ messageId: id })]);
    await engine.announcements.waitFor(() => true, 'mail in the added mailbox');
    expect(announcedIds(engine.announcements)).toEqual([id]);
  });

  it('stops the watchers of a removed account with a LOGOUT and forgets their status', async () => {
    const one = newUser();
    const two = newUser();
    const both = testSettings([
      testAccount(dovecot, 'one', one, 'pw'),
      testAccount(dovecot, 'two', two, 'pw'),
    ]);
    const engine = run(both);
    await engine.allIdle(both);
    await engine.supervisor.applySettings(testSettings([testAccount(dovecot, 'one', one, 'pw')]));
    expect(
      engine.statuses.filter((s) => s.account === 'two' && s.state === 'stopped'),
    ).toHaveLength(1);
    expect(engine.supervisor.getStatuses().map((s) => s.account)).toEqual(['one']);
    await dovecot.waitForLog(new RegExp(`imap\\(${two}\\).*Disconnected: Logged out`));
  });

  it('reports the unread count of each mailbox and keeps it current', async () => {
    const user = newUser();
    await dovecot.append(user, 'INBOX', [buildMessage(), buildMessage()]);
    await dovecot.append(user, 'INBOX', [buildMessage()], ['\\Seen']);
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw')]);
    const engine = run(settings);
    await engine.allIdle(settings);
    expect(engine.supervisor.getStatuses()[0]?.unread).toBe(2);

    await dovecot.append(user, 'INBOX', [buildMessage()]);
    await engine.statuses.waitFor((s) => s.state === 'idle' && s.unread === 3, 'unread 3');
    await dovecot.withClient(user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd('1:*', ['\\Seen']);
    });
    await engine.statuses.waitFor(
      (s) => s.state === 'idle' && s.unread === 0,
      'unread 0 after reading elsewhere',
    );
  });
});
