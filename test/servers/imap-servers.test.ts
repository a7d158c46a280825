/**
 * The behaviour that matters, on every real server we can run: Dovecot 2.3, Cyrus 3.6 and
 * Courier 5.0, each started once for the file. The engine runs as in the engine suites (the
 * Supervisor, a memory state store, a recording notifier) through a fault proxy per test,
 * which also records the IMAP conversation: a failing test prints it. Every scenario sends
 * uniquely identified mail and asserts exact outcomes: each message announced, none twice.
 * A server whose binaries are missing fails its tests (CI installs them); none is skipped.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  onTestFailed,
} from 'vitest';
import type { WatcherStatus } from '../../app/common/account-status.js';
import { actOnMessage, type MessageAction } from '../../app/main/engine/act/index.js';
import { silentLogger, systemClock } from '../../app/main/engine/base/ports.js';
import { ImapSession } from '../../app/main/engine/imap/imap-session.js';
import {
  announcedIds,
  fastLiveness,
  startEngine,
  testSettings,
  type EngineRun,
} from '../support/engine-harness.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import {
  imapServerKinds,
  imapServerQuirks,
  startImapServer,
  type ImapServerKind,
  type ImapTestServer,
} from '../support/imap-servers.js';
import { MemoryStateStore } from '../support/memory-state-store.js';
import { buildMessage, newMessageId } from '../support/messages.js';

type Settings = ReturnType<typeof testSettings>;

const isIdle = (s: WatcherStatus) => s.state === 'idle';

/** " (text)" for a test name, or nothing. */
const note = (text: string | false) => (text ? ` (${text})` : '');

describe.each(imapServerKinds)('on %s', { timeout: 60_000 }, (kind: ImapServerKind) => {
  const quirks = imapServerQuirks[kind];
  let server: ImapTestServer;
  let users = 0;
  const cleanups: Array<() => Promise<unknown>> = [];

  let startFailure: unknown;
  beforeAll(async () => {
    server = await startImapServer(kind).catch((error: unknown) => {
      startFailure = error;
      return server;
    });
  }, 30_000);
  // A server that cannot start fails every test of its block, by name (a failed beforeAll
  // would have them reported as skipped).
  beforeEach(() => {
    if (startFailure) throw startFailure;
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /**
   * A fresh user with the given mailboxes (server spelling), watched through a fresh proxy;
   * `account` overrides the account's fields (`"mailboxes": "all"`, say).
   */
  async function watch(
    mailboxes = ['INBOX'],
    options: {
      liveness?: Record<string, number>;
      existing?: number;
      account?: Record<string, unknown>;
    } = {},
  ) {
    const user = `${kind}${++users}`;
    await server.addUser(user, 'pw');
    for (const mailbox of mailboxes.filter((m) => m !== 'INBOX')) {
      await server.createMailbox(user, mailbox);
    }
    const existing: string[] = [];
    for (let i = 0; i < (options.existing ?? 0); i++) existing.push(await deliver(user));
    const trace: string[] = [];
    const proxy = await startFaultProxy(server.port, server.host, (chunk, fromClient) => {
      for (const line of chunk.toString('latin1').split(/\r\n/).filter(Boolean)) {
        trace.push(`${fromClient ? 'C' : 'S'}: ${line}`);
      }
    });
    cleanups.push(() => proxy.close());
    onTestFailed(() => {
      console.info(`${server.title} IMAP trace of ${user}:\n${trace.slice(-200).join('\n')}`);
    });
    const settings = testSettings(
      [
        {
          id: 'a',
          host: server.host,
          port: proxy.port,
          tls: 'none',
          allowInsecureAuth: true,
          user,
          password: 'pw',
          mailboxes,
          ...options.account,
        },
      ],
      5,
      options.liveness ?? fastLiveness,
    );
    const engine = startEngine(settings, undefined, { store: new MemoryStateStore() });
    cleanups.push(() => engine.supervisor.stop());
    await engine.allIdle(settings);
    return { user, proxy, engine, settings, existing, trace };
  }

  async function deliver(user: string, mailbox = 'INBOX'): Promise<string> {
    const id = newMessageId();
    await server.append(user, mailbox, [buildMessage({ messageId: id, subject: `to ${mailbox}` })]);
    return id;
  }

  async function announced(engine: EngineRun, ids: string[]): Promise<void> {
    await Promise.all(
      ids.map((id) =>
        engine.announcements.waitFor((a) => a.message.messageId === id, `announcement of ${id}`),
      ),
    );
  }

  /** A refresh round trip: any duplicate would have shown by its end. */
  async function settle(engine: EngineRun, settings: Settings) {
    const from = engine.statuses.items.length;
    engine.supervisor.refresh();
    await engine.allIdle(settings, from);
  }

  it(`takes existing mail as read on the first watch, then announces a stream message by message, each once${note(quirks.idleBy)}${note(quirks.selectWithoutUidNext && 'SELECT gives no UIDNEXT')}`, async () => {
    const { user, engine, settings } = await watch(['INBOX'], { existing: 3 });
    expect(engine.announcements.items).toEqual([]);
    const stream: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = await deliver(user);
      stream.push(id);
      // Every other message waits for its announcement: a stream, not one burst.
      if (i % 2 === 0) await announced(engine, [id]);
    }
    await announced(engine, stream);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual(stream);
    expect(await server.capabilities(user)).toContain('IDLE');
  });

  it('reconnects after a reset and announces the mail sent during the outage once', async () => {
    const { user, proxy, engine, settings } = await watch();
    const before = await deliver(user);
    await announced(engine, [before]);
    const from = engine.statuses.items.length;
    proxy.resetAll();
    const during = await deliver(user);
    await engine.statuses.waitFor(isIdle, 'idle after the reset', 15_000, from);
    const after = await deliver(user);
    await announced(engine, [during, after]);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([before, during, after]);
    expect(engine.statuses.items.slice(from).map((s) => s.state)).toEqual(
      expect.arrayContaining(['backoff', 'connecting', 'syncing', 'idle']),
    );
  });

  it(`announces mail sent during an outage to a mailbox first seen empty${note(kind === 'courier' && 'its UIDVALIDITY changes when the first message lands')}`, async () => {
    // Courier gives a mailbox nobody opened read-write a UIDVALIDITY it does not keep: the
    // session that first writes its UID list (here the APPEND, a second later) picks another,
    // which the engine sees only at its next login. Same mailbox, same mail: not a recreation.
    const { user, proxy, engine, settings } = await watch();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = await deliver(user);
    await announced(engine, [before]);
    await proxy.setMode('refuse');
    proxy.resetAll();
    const during = await deliver(user);
    const from = engine.statuses.items.length;
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle after the outage', 15_000, from);
    const after = await deliver(user);
    await announced(engine, [during, after]);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([before, during, after]);
  });

  it('survives a server restart, announcing once the mail that came while it could not connect', async () => {
    const { user, proxy, engine, settings } = await watch();
    const before = await deliver(user);
    await announced(engine, [before]);
    const from = engine.statuses.items.length;
    // The proxy refuses while the server is down and until the mail is in: the engine
    // finds the server gone and cannot get back before the mail sent meanwhile is there.
    await proxy.setMode('refuse');
    await server.restart();
    await engine.statuses.waitFor(
      (s) => s.state === 'backoff',
      'the restart noticed',
      15_000,
      from,
    );
    const during = [await deliver(user), await deliver(user)];
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle after the restart', 15_000, from);
    await announced(engine, during);
    const after = await deliver(user);
    await announced(engine, [after]);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([before, ...during, after]);
  });

  it('re-baselines a mailbox whose UIDVALIDITY changed (deleted and created again): old mail is not announced, new mail is, once', async () => {
    const work = quirks.folder('Work');
    const { user, proxy, engine, settings } = await watch([work]);
    const first = await deliver(user, work);
    await announced(engine, [first]);
    // Cut the engine off, recreate the mailbox with mail in it, then let the engine back.
    await proxy.setMode('refuse');
    proxy.resetAll();
    const { before, after } = await server.recreateMailbox(user, work);
    expect(after).not.toBe(before);
    await deliver(user, work);
    await deliver(user, work);
    const from = engine.statuses.items.length;
    await proxy.setMode('pass');
    await engine.statuses.waitFor(isIdle, 'idle on the recreated mailbox', 15_000, from);
    const fresh = await deliver(user, work);
    await announced(engine, [fresh]);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([first, fresh]);
    expect(engine.announcements.items.at(-1)?.message.uidValidity).toBe(after);
  });

  const folders = ['INBOX', quirks.folder('Work'), quirks.folder('Lists')];
  it(`watches several mailboxes at once, announcing each message once with its mailbox${note(quirks.folder('X') !== 'X' && `folders under ${quirks.folder('')}`)}`, async () => {
    const mailboxes = folders;
    const { user, engine, settings } = await watch(mailboxes);
    const sent: Array<{ id: string; mailbox: string }> = [];
    for (let round = 0; round < 3; round++) {
      for (const mailbox of mailboxes) sent.push({ id: await deliver(user, mailbox), mailbox });
    }
    await announced(
      engine,
      sent.map((s) => s.id),
    );
    await settle(engine, settings);
    const got = engine.announcements.items.map((a) => ({
      id: a.message.messageId,
      mailbox: a.message.mailbox,
    }));
    expect(got).toHaveLength(sent.length);
    expect(got).toEqual(expect.arrayContaining(sent));
  });

  it(`"mailboxes": "all": every folder that can hold new mail, one created while watched, and the same message in three folders announced once`, async () => {
    const [work, lists, trash, sent, projects] = ['Work', 'Lists', 'Trash', 'Sent', 'Projects'].map(
      (name) => quirks.folder(name),
    ) as [string, string, string, string, string];
    const { user, engine, settings } = await watch([work, lists, trash, sent], {
      account: { mailboxes: 'all', pollSeconds: 5 },
    });
    const idleSet = () =>
      [...new Map(engine.supervisor.getStatuses().map((s) => [s.mailbox, s])).values()]
        .filter(isIdle)
        .map((s) => s.mailbox)
        .sort();
    const untilIdle = (expected: string[], what: string) =>
      engine.statuses.waitFor(
        () => JSON.stringify(idleSet()) === JSON.stringify([...expected].sort()),
        what,
        20_000,
      );
    onTestFailed(() => console.info('statuses', JSON.stringify(engine.statuses.items.slice(-8))));
    // Without SPECIAL-USE on these folders, Trash and Sent are left out by their usual names.
    await untilIdle(['INBOX', work, lists], 'INBOX, Work and Lists idle');

    await deliver(user, trash);
    await deliver(user, sent);
    const inWork = await deliver(user, work);
    await announced(engine, [inWork]);

    await server.createMailbox(user, projects);
    const inProjects = await deliver(user, projects);
    await announced(engine, [inProjects]);
    await untilIdle(['INBOX', work, lists, projects], 'Projects idle');

    // Gmail's labels: one message in three folders.
    const labelled = newMessageId();
    for (const mailbox of ['INBOX', work, projects]) {
      await server.append(user, mailbox, [
        buildMessage({ messageId: labelled, subject: 'labelled' }),
      ]);
    }
    await announced(engine, [labelled]);
    const from = engine.statuses.items.length;
    engine.supervisor.refresh();
    await engine.allIdle(settings, from);
    expect(announcedIds(engine.announcements)).toEqual([inWork, inProjects, labelled]);
  });

  it(`acts on exactly the message addressed: read, delete to the Trash, archive; a stale UIDVALIDITY or a gone UID is refused (issue 24)${note(!quirks.selectWithoutUidNext ? false : 'folders under INBOX.')}`, async () => {
    const user = `${kind}${++users}`;
    await server.addUser(user, 'pw');
    const [trash, archive] = [quirks.folder('Trash'), quirks.folder('Archive')];
    for (const mailbox of [trash, archive]) await server.createMailbox(user, mailbox);
    const ids = [newMessageId(), newMessageId(), newMessageId(), newMessageId()];
    const uids = await server.append(
      user,
      'INBOX',
      ids.map((messageId) => buildMessage({ messageId })),
    );
    const uidValidity = await server.uidValidity(user, 'INBOX');
    const session = await ImapSession.open({
      host: server.host,
      port: server.port,
      tls: 'none',
      user,
      credentials: { kind: 'password', password: 'pw' },
      commandTimeoutMs: 10_000,
      socketTimeoutMs: 60_000,
      clock: systemClock,
      logger: silentLogger,
      label: `${user}/act`,
    });
    cleanups.push(() => session.logout(1_000));
    const settings = { archiveMailbox: archive };
    const act = (action: MessageAction, uid: number, validity = uidValidity) =>
      actOnMessage(session, settings, { mailbox: 'INBOX', uidValidity: validity, uid }, action);
    const [first, second, third, fourth] = uids as [number, number, number, number];
    expect(await act('read', second)).toEqual({ done: true, text: 'marked as read' });
    expect(await act('delete', first)).toEqual({ done: true, text: `moved to ${trash}` });
    expect(await act('archive', third)).toEqual({ done: true, text: `moved to ${archive}` });
    expect(await act('delete', fourth, uidValidity + 1)).toMatchObject({ done: false });
    expect(await act('read', first)).toEqual({
      done: false,
      reason: `UID ${first} is no longer in INBOX (deleted or moved)`,
    });
    const held = await server.withClient(user, async (client) => {
      const rows: Record<string, string[]> = {};
      for (const mailbox of ['INBOX', trash, archive]) {
        const opened = await client.mailboxOpen(mailbox, { readOnly: true });
        rows[mailbox] = [];
        if (opened.exists === 0) continue;
        for await (const message of client.fetch('1:*', { envelope: true, flags: true })) {
          const seen = message.flags?.has('\\Seen') ? ' seen' : '';
          rows[mailbox].push(`${message.envelope?.messageId ?? '?'}${seen}`);
        }
      }
      return rows;
    });
    expect(held).toEqual({
      INBOX: [`${ids[1]} seen`, ids[3]],
      [trash]: [ids[0]],
      [archive]: [ids[2]],
    });
  });

  it('finds on refresh the mail that IDLE did not report', async () => {
    // A long heartbeat: only the refresh can find what the filtered EXISTS would have said.
    const { user, proxy, engine, settings } = await watch(['INBOX'], {
      liveness: { heartbeatSeconds: 600, commandTimeoutSeconds: 3, maxBackoffSeconds: 1 },
    });
    let swallowed!: () => void;
    const existsSwallowed = new Promise<void>((resolve) => (swallowed = resolve));
    proxy.setServerFilter((text) => {
      const kept = text.replace(/^\* \d+ EXISTS\r\n/gm, '');
      if (kept !== text) swallowed();
      return kept;
    });
    const id = await deliver(user);
    await existsSwallowed;
    proxy.setServerFilter(undefined);
    expect(engine.announcements.items).toEqual([]);
    await settle(engine, settings);
    await announced(engine, [id]);
    await settle(engine, settings);
    expect(announcedIds(engine.announcements)).toEqual([id]);
  });

  it(`reports a wrong password as auth-failed, without retrying${note(quirks.failedLoginDelaySeconds > 0 && `answered after ${quirks.failedLoginDelaySeconds} s: the login deadline here is longer`)}`, async () => {
    const user = `${kind}${++users}`;
    await server.addUser(user, 'right');
    // Cyrus answers a wrong password after 3 s (failedloginpause), Courier after 5 s: a login
    // deadline shorter than that takes the server for dead (backoff, and another failed login
    // at each retry), so the deadline here is longer than the wait, as the default 15 s is.
    const commandTimeoutSeconds = Math.max(3, server.quirks.failedLoginDelaySeconds + 3);
    const settings = testSettings(
      [
        {
          id: 'a',
          host: server.host,
          port: server.port,
          tls: 'none',
          allowInsecureAuth: true,
          user,
          password: 'wrong',
          mailboxes: ['INBOX'],
        },
      ],
      5,
      { ...fastLiveness, commandTimeoutSeconds },
    );
    const engine = startEngine(settings, undefined, { store: new MemoryStateStore() });
    cleanups.push(() => engine.supervisor.stop());
    const failed = await engine.statuses.waitFor(
      (s) => s.state === 'auth-failed',
      'auth-failed',
      commandTimeoutSeconds * 1000 + 10_000,
    );
    expect(failed.detail).toMatch(/^login rejected: /);
    expect(engine.statuses.filter((s) => s.state === 'connecting')).toHaveLength(1);
    expect(engine.statuses.filter((s) => s.state === 'backoff')).toEqual([]);
  });
});
