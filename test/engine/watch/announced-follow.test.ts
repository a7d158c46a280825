/**
 * Issue 24, item 2: mail announced since the start is followed until it is no longer new.
 * Another client reads one message, deletes one and moves one away; the engine says `read`
 * or `gone` of exactly those, once each, over NOTIFY, IDLE and polling against a real
 * Dovecot, and nothing of mail it did not announce.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import type { MessageChange } from '../../../app/main/engine/base/index.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { startEngine, testAccount, testSettings } from '../../support/engine-harness.js';
import { waitUntil } from '../../support/manual-watcher.js';
import { buildMessage, newMessageId } from '../../support/messages.js';

let dovecot!: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));
let users = 0;

async function deliver(server: Dovecot, user: string, mailbox: string): Promise<string> {
  const id = newMessageId();
  await server.append(user, mailbox, [buildMessage({ messageId: id, subject: mailbox })]);
  return id;
}

/** The UID of the message with `messageId` in `mailbox`, as another client sees it. */
async function uidOf(client: ImapFlow, mailbox: string, messageId: string): Promise<string> {
  await client.mailboxOpen(mailbox);
  const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
  if (!Array.isArray(found) || found.length !== 1) throw new Error(`${messageId} not found`);
  return String(found[0]);
}

type Mode = 'notify' | 'idle' | 'poll';

async function follow(mode: Mode): Promise<void> {
  const server =
    mode === 'poll'
      ? await startDovecot({}, undefined, { withoutCapabilities: ['NOTIFY', 'IDLE'] })
      : dovecot;
  if (server !== dovecot) cleanups.push(() => server.stop());
  const user = `follow${++users}`;
  server.addUser(user, 'pw');
  await server.withClient(user, (client) => client.mailboxCreate('Work'));
  const old = await deliver(server, user, 'Work');
  const settings = testSettings(
    [
      {
        ...testAccount(server, 'a', user, 'pw', ['INBOX', 'Work']),
        pollSeconds: 5,
        ...(mode === 'idle' ? { watchMode: 'idle' } : {}),
      },
    ],
    5,
    { heartbeatSeconds: 30, commandTimeoutSeconds: 5 },
  );
  const engine = startEngine(settings);
  cleanups.push(() => engine.supervisor.stop());
  const changes: MessageChange[] = [];
  engine.supervisor.onMessageChange((change) => changes.push(change));
  await engine.allIdle(settings);

  const [read, deleted, moved, kept] = [
    await deliver(server, user, 'Work'),
    await deliver(server, user, 'INBOX'),
    await deliver(server, user, 'Work'),
    await deliver(server, user, 'INBOX'),
  ];
  await engine.announcements.waitForCount(() => true, 4, 'four messages', 20_000);
  await server.withClient(user, async (client) => {
    await client.messageFlagsAdd(await uidOf(client, 'Work', read), ['\\Seen'], { uid: true });
    await client.messageFlagsAdd(await uidOf(client, 'Work', old), ['\\Seen'], { uid: true });
    await client.messageDelete(await uidOf(client, 'INBOX', deleted), { uid: true });
    await client.messageMove(await uidOf(client, 'Work', moved), 'INBOX', { uid: true });
  });
  await waitUntil(() => changes.length >= 3, 20_000);
  // Long enough for a repeat to show: a refresh asks after the rest again.
  const from = engine.statuses.items.length;
  engine.supervisor.refresh();
  await engine.allIdle(settings, from);
  const said = changes.map((change) => `${change.event} ${change.mailbox} ${change.messageId}`);
  expect(said.sort()).toEqual(
    [`read Work ${read}`, `gone INBOX ${deleted}`, `gone Work ${moved}`].sort(),
  );
  for (const change of changes) {
    expect(change).toMatchObject({ account: 'a', uid: expect.any(Number) as number });
  }
  // The moved message is the same mail: not announced again in INBOX, still the four.
  expect(engine.announcements.items.map((a) => a.message.messageId).sort()).toEqual(
    [read, deleted, moved, kept].sort(),
  );
}

describe('read and gone: mail announced since the start, followed', { timeout: 60_000 }, () => {
  it('over NOTIFY', () => follow('notify'));
  it('over IDLE per mailbox', () => follow('idle'));
  it('polled, on a server with neither NOTIFY nor IDLE', () => follow('poll'));
});
