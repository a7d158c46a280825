/**
 * Actions on one message (issue 24) against a real Dovecot with SPECIAL-USE mailboxes: each
 * lands on the addressed message and on no other (the server is read back afterwards); a
 * changed UIDVALIDITY, a message gone before the click, a mailbox gone, no Trash and a
 * server without MOVE or UIDPLUS are refused with the reason and change nothing.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it, vi } from 'vitest';
import { actOnMessage, targetOf, type MessageAction } from '../../../app/main/engine/act/index.js';
import { silentLogger, systemClock } from '../../../app/main/engine/base/ports.js';
import { ImapSession } from '../../../app/main/engine/imap/imap-session.js';
import type { ListedMailbox } from '../../../app/main/engine/imap/mailbox-status.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { startEngine, testAccount, testSettings } from '../../support/engine-harness.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

let dovecot!: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started), {
  specialUse: { Bin: '\\Trash', Kept: '\\Archive' },
});

let users = 0;

/** A user whose INBOX holds three messages; their Message-IDs by UID. */
async function userWithMail(server: Dovecot): Promise<{ user: string; ids: string[] }> {
  const user = `act${++users}`;
  server.addUser(user, 'pw');
  const ids = [newMessageId(), newMessageId(), newMessageId()];
  await server.withClient(user, async (client) => {
    for (const messageId of ids) await client.append('INBOX', buildMessage({ messageId }));
  });
  return { user, ids };
}

async function open(server: Dovecot, user: string): Promise<ImapSession> {
  const session = await ImapSession.open({
    host: server.host,
    port: server.port,
    tls: 'none',
    user,
    credentials: { kind: 'password', password: 'pw' },
    commandTimeoutMs: 5_000,
    socketTimeoutMs: 60_000,
    clock: systemClock,
    logger: silentLogger,
    label: `${user}/act`,
  });
  cleanups.push(() => session.logout(1_000));
  return session;
}

/** What each mailbox holds: Message-IDs and whether each is \Seen, read by another client. */
async function contents(
  server: Dovecot,
  user: string,
  mailboxes: string[],
): Promise<Record<string, string[]>> {
  return server.withClient(user, async (client: ImapFlow) => {
    const held: Record<string, string[]> = {};
    for (const mailbox of mailboxes) {
      const opened = await client.mailboxOpen(mailbox, { readOnly: true });
      const rows: string[] = [];
      if (opened.exists > 0)
        for await (const message of client.fetch('1:*', { envelope: true, flags: true })) {
          rows.push(
            `${message.envelope?.messageId ?? '?'}${message.flags?.has('\\Seen') ? ' seen' : ''}`,
          );
        }
      held[mailbox] = rows;
      await client.mailboxClose();
    }
    return held;
  });
}

async function uidValidityOf(server: Dovecot, user: string): Promise<number> {
  return server.withClient(user, async (client) => {
    const status = await client.status('INBOX', { uidValidity: true });
    return Number(status ? status.uidValidity : 0);
  });
}

describe('actions on one message, on a real Dovecot', { timeout: 30_000 }, () => {
  it('marks exactly that message as read', async () => {
    const { user, ids } = await userWithMail(dovecot);
    const session = await open(dovecot, user);
    const uidValidity = await uidValidityOf(dovecot, user);
    const outcome = await actOnMessage(
      session,
      {},
      { mailbox: 'INBOX', uidValidity, uid: 2 },
      'read',
    );
    expect(outcome).toEqual({ done: true, text: 'marked as read' });
    expect(await contents(dovecot, user, ['INBOX'])).toEqual({
      INBOX: [ids[0], `${ids[1]} seen`, ids[2]],
    });
  });

  it('deletes to the mailbox marked \\Trash and archives to the one marked \\Archive', async () => {
    const { user, ids } = await userWithMail(dovecot);
    const session = await open(dovecot, user);
    const uidValidity = await uidValidityOf(dovecot, user);
    const at = (uid: number) => ({ mailbox: 'INBOX', uidValidity, uid });
    expect(await actOnMessage(session, {}, at(1), 'delete')).toEqual({
      done: true,
      text: 'moved to Bin',
    });
    expect(await actOnMessage(session, {}, at(3), 'archive')).toEqual({
      done: true,
      text: 'moved to Kept',
    });
    expect(await contents(dovecot, user, ['INBOX', 'Bin', 'Kept'])).toEqual({
      INBOX: [ids[1]],
      Bin: [ids[0]],
      Kept: [ids[2]],
    });
  });

  it('refuses, changing nothing: another UIDVALIDITY, a UID gone, a mailbox gone, already in the Trash', async () => {
    const { user, ids } = await userWithMail(dovecot);
    const session = await open(dovecot, user);
    const uidValidity = await uidValidityOf(dovecot, user);
    const refusals: Array<[MessageAction, { mailbox: string; uidValidity: number; uid: number }]> =
      [
        ['delete', { mailbox: 'INBOX', uidValidity: uidValidity + 1, uid: 1 }],
        ['read', { mailbox: 'INBOX', uidValidity, uid: 9 }],
        ['archive', { mailbox: 'Gone', uidValidity, uid: 1 }],
        ['delete', { mailbox: 'Bin', uidValidity, uid: 1 }],
      ];
    const reasons: string[] = [];
    for (const [action, address] of refusals) {
      const outcome = await actOnMessage(session, {}, address, action);
      reasons.push(outcome.done ? 'done' : outcome.reason);
    }
    expect(reasons).toEqual([
      `the UIDVALIDITY of INBOX is ${uidValidity}, not ${uidValidity + 1}: the mailbox was recreated, UID 1 may be another message now`,
      'UID 9 is no longer in INBOX (deleted or moved)',
      expect.stringMatching(/^mailbox not found: Gone/) as string,
      'the message is in Bin already',
    ]);
    expect(await contents(dovecot, user, ['INBOX', 'Bin', 'Kept'])).toEqual({
      INBOX: ids,
      Bin: [],
      Kept: [],
    });
    // The session is still good for the next action.
    await expect(
      actOnMessage(session, {}, { mailbox: 'INBOX', uidValidity, uid: 1 }, 'read'),
    ).resolves.toEqual({ done: true, text: 'marked as read' });
  });

  it('refuses a message deleted elsewhere after its popup was shown', async () => {
    const { user, ids } = await userWithMail(dovecot);
    const session = await open(dovecot, user);
    const uidValidity = await uidValidityOf(dovecot, user);
    await dovecot.withClient(user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageDelete('2', { uid: true });
    });
    const outcome = await actOnMessage(
      session,
      {},
      { mailbox: 'INBOX', uidValidity, uid: 2 },
      'delete',
    );
    expect(outcome).toEqual({
      done: false,
      reason: 'UID 2 is no longer in INBOX (deleted or moved)',
    });
    expect(await contents(dovecot, user, ['INBOX', 'Bin'])).toEqual({
      INBOX: [ids[0], ids[2]],
      Bin: [],
    });
  });

  it('without MOVE, copies and expunges that UID alone; without UIDPLUS too, refuses', async () => {
    const noMove = await startDovecot({}, undefined, {
      withoutCapabilities: ['MOVE'],
      specialUse: { Trash: '\\Trash' },
    });
    cleanups.push(() => noMove.stop());
    const { user, ids } = await userWithMail(noMove);
    // Another message marked \Deleted elsewhere: an EXPUNGE of the mailbox would take it too.
    await noMove.withClient(user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('3', ['\\Deleted'], { uid: true });
    });
    const session = await open(noMove, user);
    const uidValidity = await uidValidityOf(noMove, user);
    expect(session.has('MOVE')).toBe(false);
    const outcome = await actOnMessage(
      session,
      {},
      { mailbox: 'INBOX', uidValidity, uid: 1 },
      'delete',
    );
    expect(outcome).toEqual({ done: true, text: 'moved to Trash' });
    expect(await contents(noMove, user, ['INBOX', 'Trash'])).toEqual({
      INBOX: [ids[1], ids[2]],
      Trash: [ids[0]],
    });

    const bare = await startDovecot({}, undefined, {
      withoutCapabilities: ['MOVE', 'UIDPLUS'],
      specialUse: { Trash: '\\Trash' },
    });
    cleanups.push(() => bare.stop());
    const other = await userWithMail(bare);
    const plain = await open(bare, other.user);
    const refused = await actOnMessage(
      plain,
      {},
      { mailbox: 'INBOX', uidValidity: await uidValidityOf(bare, other.user), uid: 1 },
      'delete',
    );
    expect(refused).toEqual({
      done: false,
      reason:
        'the server offers neither MOVE nor UIDPLUS: moving one message would expunge every message marked deleted',
    });
    expect(await contents(bare, other.user, ['INBOX', 'Trash'])).toEqual({
      INBOX: other.ids,
      Trash: [],
    });
  });

  it('offers no Delete without a Trash, and no Archive without an archive mailbox', async () => {
    const plain = await startDovecot();
    cleanups.push(() => plain.stop());
    const { user, ids } = await userWithMail(plain);
    const session = await open(plain, user);
    const uidValidity = await uidValidityOf(plain, user);
    const at = { mailbox: 'INBOX', uidValidity, uid: 1 };
    expect(await actOnMessage(session, {}, at, 'delete')).toEqual({
      done: false,
      reason: 'no Trash on the server (none marked \\Trash, none named Trash): set "trashMailbox"',
    });
    expect(await actOnMessage(session, { archiveMailbox: 'Old' }, at, 'archive')).toEqual({
      done: false,
      reason: 'archiveMailbox "Old" is not on the server',
    });
    expect(await contents(plain, user, ['INBOX'])).toEqual({ INBOX: ids });
  });
});

describe('where Delete and Archive move to', () => {
  const box = (path: string, flags: string[] = [], specialUse?: string): ListedMailbox => ({
    path,
    flags,
    delimiter: '/',
    ...(specialUse ? { specialUse } : {}),
  });

  it('takes the special use first, then the setting, then the usual names for Delete only', () => {
    const listed = [
      box('INBOX'),
      box('Papierkorb', [], '\\Trash'),
      box('Deleted Items'),
      box('Old'),
    ];
    expect(targetOf('delete', listed, { trashMailbox: 'Old' })).toEqual({ path: 'Papierkorb' });
    expect(targetOf('delete', listed.slice(2), { trashMailbox: 'Old' })).toEqual({ path: 'Old' });
    expect(targetOf('delete', listed.slice(2), {})).toEqual({ path: 'Deleted Items' });
    expect(targetOf('delete', [box('INBOX'), box('Mail/Bin')], {})).toEqual({ path: 'Mail/Bin' });
    expect(targetOf('archive', [box('INBOX'), box('Archive')], {})).toMatchObject({
      missing: expect.stringContaining('archiveMailbox') as string,
    });
    expect(targetOf('archive', [box('All', ['\\Archive'])], {})).toEqual({ path: 'All' });
    expect(targetOf('delete', [box('Trash', ['\\Noselect'])], {})).toMatchObject({
      missing: expect.any(String) as string,
    });
  });
});

describe('actions from popups, through the supervisor', { timeout: 30_000 }, () => {
  it("marks a summary's messages as read on one connection, an outcome for each", async () => {
    const { user, ids } = await userWithMail(dovecot);
    const settings = testSettings([testAccount(dovecot, 'a', user, 'pw')], 5, {
      heartbeatSeconds: 30,
      commandTimeoutSeconds: 5,
    });
    const engine = startEngine(settings);
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    const uidValidity = await uidValidityOf(dovecot, user);
    const at = (uid: number) => ({ mailbox: 'INBOX', uidValidity, uid });
    await expect(engine.supervisor.actOnEach('a', [at(1), at(9), at(3)], 'read')).resolves.toEqual([
      { done: true, text: 'marked as read' },
      { done: false, reason: 'UID 9 is no longer in INBOX (deleted or moved)' },
      { done: true, text: 'marked as read' },
    ]);
    expect(await contents(dovecot, user, ['INBOX'])).toEqual({
      INBOX: [`${ids[0]} seen`, ids[1], `${ids[2]} seen`],
    });
  });

  it('acts on a connection borrowed from the account, gives it back, and refuses once stopping', async () => {
    const { user, ids } = await userWithMail(dovecot);
    const settings = testSettings(
      [{ ...testAccount(dovecot, 'a', user, 'pw'), maxConnections: 2 }],
      5,
      { heartbeatSeconds: 30, commandTimeoutSeconds: 5 },
    );
    const engine = startEngine(settings);
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    const uidValidity = await uidValidityOf(dovecot, user);
    // Two in a row with one connection to spare: the first gave its slot back.
    for (const uid of [1, 3]) {
      await expect(
        engine.supervisor.act('a', { mailbox: 'INBOX', uidValidity, uid }, 'read'),
      ).resolves.toEqual({ done: true, text: 'marked as read' });
    }
    await expect(
      engine.supervisor.act('b', { mailbox: 'INBOX', uidValidity, uid: 2 }, 'read'),
    ).resolves.toEqual({ done: false, reason: 'no account "b" any more' });
    await engine.supervisor.stop();
    await expect(
      engine.supervisor.act('a', { mailbox: 'INBOX', uidValidity, uid: 2 }, 'read'),
    ).resolves.toEqual({ done: false, reason: 'Tidings is quitting' });
    expect(await contents(dovecot, user, ['INBOX'])).toEqual({
      INBOX: [`${ids[0]} seen`, ids[1], `${ids[2]} seen`],
    });
  });

  it('offers Delete and Archive only once a LIST showed where they move to', async () => {
    const { user } = await userWithMail(dovecot);
    const everything = { popupActions: ['archive', 'read', 'delete'] as MessageAction[] };
    const settings = testSettings(
      [{ ...testAccount(dovecot, 'a', user, 'pw'), ...everything }],
      5,
      {
        heartbeatSeconds: 30,
        commandTimeoutSeconds: 5,
      },
    );
    const engine = startEngine(settings, undefined, { popupButtons: true });
    cleanups.push(() => engine.supervisor.stop());
    expect(engine.supervisor.offeredActions('a')).toEqual(['read']);
    // The LIST follows the first sync, before the watcher first reports idle.
    await engine.allIdle(settings);
    expect(engine.supervisor.offeredActions('a')).toEqual(['archive', 'read', 'delete']);
    expect(engine.supervisor.offeredActions('b')).toEqual([]);

    // Without buttons nothing is listed, so nothing that moves mail is offered.
    const quiet = startEngine(settings);
    cleanups.push(() => quiet.supervisor.stop());
    await quiet.allIdle(settings);
    expect(quiet.supervisor.offeredActions('a')).toEqual(['read']);
  });

  it('offers no Delete on a server without a Trash, until trashMailbox names one it has', async () => {
    const plain = await startDovecot();
    cleanups.push(() => plain.stop());
    const { user } = await userWithMail(plain);
    await plain.withClient(user, (client) => client.mailboxCreate('Old'));
    const account = { ...testAccount(plain, 'a', user, 'pw'), mailboxes: 'all' as const };
    const liveness = { heartbeatSeconds: 30, commandTimeoutSeconds: 5 };
    const settings = testSettings([account], 5, liveness);
    const engine = startEngine(settings, undefined, { popupButtons: true });
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    // "all" lists its tree anyway: that LIST is the one the buttons learn from.
    expect(engine.supervisor.offeredActions('a')).toEqual(['read']);
    const named = testSettings([{ ...account, trashMailbox: 'Old' }], 5, liveness);
    await engine.apply(named);
    expect(engine.supervisor.offeredActions('a')).toEqual(['read', 'delete']);
  });

  it('lists an account kept running when a settings change asks for Delete, without a reconnect', async () => {
    const { user } = await userWithMail(dovecot);
    const liveness = { heartbeatSeconds: 30, commandTimeoutSeconds: 5 };
    const account = { ...testAccount(dovecot, 'a', user, 'pw'), popupActions: ['read'] };
    const settings = testSettings([account], 5, liveness);
    const engine = startEngine(settings, undefined, { popupButtons: true });
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    expect(engine.supervisor.offeredActions('a')).toEqual(['read']);
    const connects = () => engine.statuses.items.filter((s) => s.state === 'connecting').length;
    const before = connects();
    await engine.apply(
      testSettings([{ ...account, popupActions: ['read', 'delete'] }], 5, liveness),
    );
    await vi.waitFor(() =>
      expect(engine.supervisor.offeredActions('a')).toEqual(['read', 'delete']),
    );
    // Listed on a connection of its own: the watcher's was never dropped.
    expect(connects()).toBe(before);
  });
});
