/**
 * `tidings watch --json` as users run it (the compiled CLI in a child process) against a
 * throwaway Dovecot. Every test has its own mail user and state directory.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { waitUntil } from '../../support/manual-watcher.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import { runCli } from '../../support/run-cli.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../support/watch-process.js';

let dovecot: Dovecot;
const running: WatchProcess[] = [];
let userCount = 0;

beforeAll(async () => {
  dovecot = await startDovecot();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((watch) => watch.stop()));
});
afterAll(async () => {
  await dovecot?.stop();
});

function newUser(password = 'correct horse'): { user: string; password: string } {
  const user = `user${++userCount}`;
  dovecot.addUser(user, password);
  return { user, password };
}

function account(id: string, user: string, password: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none',
    allowInsecureAuth: true,
    user,
    password,
    ...extra,
  };
}

// A 5 s command deadline: a DONE answered late on a busy machine is not a reconnect here.
function config(accounts: unknown[], extra: Record<string, unknown> = {}) {
  return { accounts, liveness: { heartbeatSeconds: 5, commandTimeoutSeconds: 5 }, ...extra };
}

/** Rejected login attempts of `user` so far, from Dovecot's log. */
function failedLogins(user: string): number {
  const log = readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
  return log
    .split('\n')
    .filter((line) => line.includes(`user=<${user}>`))
    .reduce((sum, line) => sum + Number(/auth failed, (\d+) attempts/.exec(line)?.[1] ?? 0), 0);
}

function newStateDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
}

/** Starts `tidings watch` and waits until every listed (account, mailbox) is idle. */
async function watch(
  cfg: unknown,
  idle: Array<[string, string]>,
  stateDir = newStateDir(),
): Promise<WatchProcess> {
  const proc = startWatch({ configFile: writeConfig(cfg), stateDir });
  running.push(proc);
  await Promise.all(
    idle.map(([a, m]) => proc.events.waitFor(isStatus(a, m, 'idle'), `${a}/${m} idle`)),
  );
  return proc;
}

const newMail = (messageId: string) => (e: WatchEvent) =>
  e.event === 'new-mail' && e.messageId === messageId;
const anyNewMail = (e: WatchEvent) => e.event === 'new-mail';

/** A refresh round trip: afterwards every earlier EXISTS has certainly been handled. */
async function refreshAndSettle(proc: WatchProcess, account: string, mailbox: string) {
  const from = proc.events.items.length;
  proc.signal('SIGUSR1');
  await proc.events.waitFor(
    (e) => isStatus(account, mailbox, 'syncing')(e) && e.detail === 'refresh',
    'refresh sync',
    10_000,
    from,
  );
  await proc.events.waitFor(isStatus(account, mailbox, 'idle'), 'idle after refresh', 10_000, from);
}

describe('tidings watch --json', () => {
  it('announces a message appended while idle exactly once, with sender, subject and Message-ID', async () => {
    const { user, password } = newUser();
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    const messageId = newMessageId();
    await dovecot.append(user, 'INBOX', [
      buildMessage({
        from: 'Ann Example <ann@example.test>',
        subject: 'Quarterly report',
        messageId,
      }),
    ]);
    const event = await proc.events.waitFor(newMail(messageId), 'the new mail');
    expect(event).toMatchObject({
      event: 'new-mail',
      account: 'work',
      mailbox: 'INBOX',
      uid: 1,
      from: 'Ann Example <ann@example.test>',
      subject: 'Quarterly report',
      messageId,
    });
    expect(typeof event.uidValidity).toBe('number');
    expect(new Date(String(event.at)).toISOString()).toBe(event.at);

    await refreshAndSettle(proc, 'work', 'INBOX');
    expect(proc.events.filter(anyNewMail)).toHaveLength(1);
    expect(proc.strayStdout).toEqual([]);
    expect(proc.stderr()).not.toContain(password);
  });

  it('writes read and gone lines for mail it announced, when tidings act or another client changes it', async () => {
    const { user, password } = newUser();
    await dovecot.withClient(user, (client) => client.mailboxCreate('Trash'));
    const old = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: old })]);
    const cfg = config([account('work', user, password)]);
    const proc = await watch(cfg, [['work', 'INBOX']]);
    const ids = [newMessageId(), newMessageId(), newMessageId()];
    for (const messageId of ids) await dovecot.append(user, 'INBOX', [buildMessage({ messageId })]);
    const lines = await proc.events.waitForCount(anyNewMail, 3, 'three new-mail lines');
    const [first, second, third] = lines as [WatchEvent, WatchEvent, WatchEvent];
    const act = (action: string, line: WatchEvent) =>
      runCli([
        'act',
        '--config',
        writeConfig(cfg),
        '--state-dir',
        newStateDir(),
        'work',
        action,
        'INBOX',
        String(line.uidValidity),
        String(line.uid),
      ]);
    expect((await act('read', first)).code).toBe(0);
    expect((await act('delete', second)).code).toBe(0);
    // Another client reads the third, and the old message nobody announced.
    await dovecot.withClient(user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd(`${String(third.uid)},1`, ['\\Seen'], { uid: true });
    });
    const changes = await proc.events.waitForCount(
      (e) => e.event === 'read' || e.event === 'gone',
      3,
      'three read or gone lines',
    );
    expect(changes.map((e) => [e.event, e.messageId, e.uid]).sort()).toEqual(
      [
        ['read', ids[0], first.uid],
        ['gone', ids[1], second.uid],
        ['read', ids[2], third.uid],
      ].sort(),
    );
    for (const change of changes) {
      expect(change).toMatchObject({ account: 'work', mailbox: 'INBOX' });
      expect(Object.keys(change).sort()).toEqual(
        ['account', 'at', 'event', 'mailbox', 'messageId', 'uid', 'uidValidity'].sort(),
      );
    }
    await refreshAndSettle(proc, 'work', 'INBOX');
    expect(proc.events.filter((e) => e.event === 'read' || e.event === 'gone')).toHaveLength(3);
    expect(proc.events.filter((e) => e.messageId === old)).toEqual([]);
  });

  it('watches several accounts and several mailboxes at once', async () => {
    const ann = newUser();
    const bob = newUser();
    await dovecot.withClient(ann.user, (client) => client.mailboxCreate('Work'));
    const proc = await watch(
      config([
        account('ann', ann.user, ann.password, { mailboxes: ['INBOX', 'Work'] }),
        account('bob', bob.user, bob.password),
      ]),
      [
        ['ann', 'INBOX'],
        ['ann', 'Work'],
        ['bob', 'INBOX'],
      ],
    );
    const ids = { annInbox: newMessageId(), annWork: newMessageId(), bobInbox: newMessageId() };
    await Promise.all([
      dovecot.append(ann.user, 'INBOX', [buildMessage({ messageId: ids.annInbox })]),
      dovecot.append(ann.user, 'Work', [buildMessage({ messageId: ids.annWork })]),
      dovecot.append(bob.user, 'INBOX', [buildMessage({ messageId: ids.bobInbox })]),
    ]);
    const [a, b, c] = await Promise.all([
      proc.events.waitFor(newMail(ids.annInbox), 'ann INBOX'),
      proc.events.waitFor(newMail(ids.annWork), 'ann Work'),
      proc.events.waitFor(newMail(ids.bobInbox), 'bob INBOX'),
    ]);
    expect([a, b, c].map((e) => `${String(e.account)}/${String(e.mailbox)}`)).toEqual([
      'ann/INBOX',
      'ann/Work',
      'bob/INBOX',
    ]);
    await refreshAndSettle(proc, 'bob', 'INBOX');
    expect(proc.events.filter(anyNewMail)).toHaveLength(3);
  });

  it('announces mail that arrived while stopped after a restart, and nothing old again', async () => {
    const { user, password } = newUser();
    const cfg = config([account('work', user, password)]);
    const stateDir = newStateDir();
    const first = await watch(cfg, [['work', 'INBOX']], stateDir);
    const before = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: before })]);
    await first.events.waitFor(newMail(before), 'mail before the stop');
    expect(await first.stop()).toBe(0);

    const during = [newMessageId(), newMessageId()];
    await dovecot.append(
      user,
      'INBOX',
      during.map((messageId) => buildMessage({ messageId })),
    );

    const second = await watch(cfg, [['work', 'INBOX']], stateDir);
    await Promise.all(during.map((id) => second.events.waitFor(newMail(id), 'mail from the stop')));
    await refreshAndSettle(second, 'work', 'INBOX');
    expect(second.events.filter(anyNewMail).map((e) => e.messageId)).toEqual(during);
  });

  it('announces nothing old when it first starts on a full mailbox', async () => {
    const { user, password } = newUser();
    await dovecot.append(user, 'INBOX', [buildMessage(), buildMessage(), buildMessage()]);
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    const fresh = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: fresh })]);
    await proc.events.waitFor(newMail(fresh), 'the fresh mail');
    await refreshAndSettle(proc, 'work', 'INBOX');
    expect(proc.events.filter(anyNewMail).map((e) => e.uid)).toEqual([4]);
  });

  it('does not announce mail that is already \\Seen', async () => {
    const { user, password } = newUser();
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'read elsewhere' })], ['\\Seen']);
    const unseen = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: unseen })]);
    await proc.events.waitFor(newMail(unseen), 'the unseen mail');
    await refreshAndSettle(proc, 'work', 'INBOX');
    expect(proc.events.filter(anyNewMail).map((e) => e.messageId)).toEqual([unseen]);
  });

  it('writes a burst of 50 as 50 new-mail lines at once, and no summary line', async () => {
    const { user, password } = newUser();
    await dovecot.withClient(user, (client) => client.mailboxCreate('Staging'));
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    const ids = Array.from({ length: 50 }, () => newMessageId());
    await dovecot.append(
      user,
      'Staging',
      ids.map((messageId) => buildMessage({ messageId })),
    );
    // One MOVE lands all 50 at once, as a server-side filter would.
    await dovecot.withClient(user, async (client) => {
      await client.mailboxOpen('Staging');
      await client.messageMove('1:*', 'INBOX');
    });
    const lines = await proc.events.waitForCount((e) => e.event === 'new-mail', 50, '50 lines');
    expect(lines.map((line) => line.messageId).sort()).toEqual([...ids].sort());
    const uids = lines.map((line) => line.uid as number);
    expect(uids).toEqual([...uids].sort((a, b) => a - b));
    await refreshAndSettle(proc, 'work', 'INBOX');
    expect(proc.events.filter((e) => e.event === 'new-mail')).toHaveLength(50);
    expect(proc.events.filter((e) => e.event === 'summary')).toEqual([]);
  });

  it('writes each message of a steady stream as it comes, none held for the end of the stream', async () => {
    const { user, password } = newUser();
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    const newMail = () => proc.events.filter((e) => e.event === 'new-mail').length;
    // 50 messages 0.2 s apart. Before the 10th APPEND after a message, 2 s later, its line
    // must be out: a stream held back for a storm window (the old 5 s) would not be.
    const seenBefore: number[] = [];
    for (let i = 0; i < 50; i++) {
      seenBefore.push(newMail());
      await dovecot.append(user, 'INBOX', [buildMessage({ subject: `stream ${i}` })]);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const lines = await proc.events.waitForCount((e) => e.event === 'new-mail', 50, '50 lines');
    expect(lines.map((line) => line.subject)).toEqual(
      Array.from({ length: 50 }, (_, i) => `stream ${i}`),
    );
    for (let i = 10; i < 50; i++) expect(seenBefore[i]).toBeGreaterThanOrEqual(i - 10 + 1);
    expect(proc.events.filter((e) => e.event === 'summary')).toEqual([]);
  }, 60_000);

  it('adds the first line of the text as "preview" to new-mail lines, and leaves it out with previews off', async () => {
    const { user, password } = newUser();
    const messageId = newMessageId();
    const body = 'Shall we move the meeting to Thursday?\r\n\r\n-- \r\nAnn';
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'Meeting', body, messageId })]);
    const event = await proc.events.waitFor(newMail(messageId), 'the mail with a preview');
    expect(event.preview).toBe('Shall we move the meeting to Thursday? -- Ann');

    const { user: other } = newUser(password);
    const off = config([account('home', other, password)], { notifications: { preview: false } });
    const quiet = await watch(off, [['home', 'INBOX']]);
    const otherId = newMessageId();
    await dovecot.append(other, 'INBOX', [
      buildMessage({ subject: 'Meeting', body, messageId: otherId }),
    ]);
    const plain = await quiet.events.waitFor(newMail(otherId), 'the mail without a preview');
    expect(Object.keys(plain)).not.toContain('preview');
  });

  it('cleans a subject of encoded control characters and a bidi override', async () => {
    const { user, password } = newUser();
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    const hostile = 'Héllo\u0007\u001b[2J\nworld \u202Efdp.exe\u2066';
    const encoded = `=?UTF-8?B?${Buffer.from(hostile).toString('base64')}?=`;
    const fromName = `=?UTF-8?Q?Bank=E2=80=AE_Support?=`;
    const messageId = newMessageId();
    await dovecot.append(user, 'INBOX', [
      buildMessage({ subject: encoded, from: `${fromName} <x@evil.test>`, messageId }),
    ]);
    const event = await proc.events.waitFor(newMail(messageId), 'the hostile mail');
    expect(event.subject).toBe('Héllo [2J world fdp.exe');
    expect(event.from).toBe('Bank Support <x@evil.test>');
  });

  it('reports a wrong password as auth-failed with a clear detail, and does not retry on its own', async () => {
    const { user } = newUser('the real one');
    const proc = startWatch({
      configFile: writeConfig(config([account('work', user, 'a wrong one')])),
      stateDir: newStateDir(),
    });
    running.push(proc);
    const failed = await proc.events.waitFor(
      isStatus('work', 'INBOX', 'auth-failed'),
      'auth-failed',
    );
    expect(failed.detail).toMatch(/login rejected/i);
    const from = proc.events.items.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(proc.events.items.slice(from).filter(isStatus('work', 'INBOX', 'connecting'))).toEqual(
      [],
    );
    expect(proc.stderr()).not.toContain('a wrong one');
    expect(proc.running()).toBe(true);
    expect(await proc.stop()).toBe(0);
  });

  it('retries an auth-failed account on SIGUSR1 with the corrected passwordCommand answer, and never on its own', async () => {
    const { user } = newUser('the real one');
    const passwordFile = path.join(newStateDir(), 'password');
    writeFileSync(passwordFile, 'a stale one\n');
    const proc = startWatch({
      configFile: writeConfig(
        config([
          {
            ...account('work', user, ''),
            password: undefined,
            passwordCommand: `cat '${passwordFile}'`,
          },
        ]),
      ),
      stateDir: newStateDir(),
    });
    running.push(proc);
    await proc.events.waitFor(isStatus('work', 'INBOX', 'auth-failed'), 'auth-failed');
    await dovecot.waitForLog(new RegExp(`auth failed.*user=<${user}>`));
    // No retry loop: the server sees one attempt however long we wait.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(failedLogins(user)).toBe(1);
    expect(proc.running()).toBe(true);

    writeFileSync(passwordFile, 'the real one\n');
    const from = proc.events.items.length;
    proc.signal('SIGUSR1');
    await proc.events.waitFor(
      isStatus('work', 'INBOX', 'idle'),
      'idle after SIGUSR1',
      15_000,
      from,
    );
    const messageId = newMessageId();
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId })]);
    await proc.events.waitFor(newMail(messageId), 'mail after the retry');
    expect(failedLogins(user)).toBe(1);
  });

  it('reports an unreachable server as backoff with the reason, not a crash', async () => {
    const { user, password } = newUser();
    const closedPort = { ...account('work', user, password), port: 1 };
    const proc = startWatch({
      configFile: writeConfig(config([closedPort])),
      stateDir: newStateDir(),
    });
    running.push(proc);
    const backoff = await proc.events.waitFor(isStatus('work', 'INBOX', 'backoff'), 'backoff');
    expect(backoff.detail).toMatch(/connection refused; retrying in/);
  });

  it('resyncs on SIGUSR1 and shows it in status events', async () => {
    const { user, password } = newUser();
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    await refreshAndSettle(proc, 'work', 'INBOX');
    const states = proc.events.filter((e) => e.event === 'status').map((e) => e.state);
    expect(states.slice(-2)).toEqual(['syncing', 'idle']);
  });

  it('logs out and exits 0 on SIGTERM', async () => {
    const { user, password } = newUser();
    const proc = await watch(config([account('work', user, password)]), [['work', 'INBOX']]);
    expect(await proc.stop()).toBe(0);
    expect(proc.events.filter(isStatus('work', 'INBOX', 'stopped'))).toHaveLength(1);
    await dovecot.waitForLog(new RegExp(`imap\\(${user}\\).*Disconnected: Logged out`));
  });

  it('exits 2 naming the bad field, with nothing on stdout', async () => {
    const proc = startWatch({
      configFile: writeConfig({
        accounts: [{ id: 'work', host: 'h', user: 'u', port: 'x', password: 'p' }],
      }),
      stateDir: newStateDir(),
    });
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('accounts[0].port:');
    expect(proc.events.items).toEqual([]);
    expect(proc.strayStdout).toEqual([]);
  });
});

// The servers are connected to before the engine loads (commands/early-connections.ts).
describe("tidings watch's early connections", () => {
  const proxies: FaultProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  /** A proxy to Dovecot that counts connections and the bytes clients send on them. */
  async function countingProxy() {
    const sent = { bytes: 0 };
    const proxy = await startFaultProxy(dovecot.port, dovecot.host, (chunk, fromClient) => {
      if (fromClient) sent.bytes += chunk.length;
    });
    proxies.push(proxy);
    return { proxy, sent };
  }

  it('logs each account in over the connection it opened first: one connection per account', async () => {
    const ann = newUser();
    const bob = newUser();
    const { proxy } = await countingProxy();
    const at = { port: proxy.port };
    const proc = startWatch({
      configFile: writeConfig(
        config([
          account('ann', ann.user, ann.password, at),
          account('bob', bob.user, bob.password, at),
        ]),
      ),
      stateDir: newStateDir(),
      args: ['--verbose'],
    });
    running.push(proc);
    for (const id of ['ann', 'bob']) {
      await proc.events.waitFor(isStatus(id, 'INBOX', 'idle'), `${id}/INBOX idle`);
    }
    const id = newMessageId();
    await dovecot.append(bob.user, 'INBOX', [buildMessage({ messageId: id })]);
    await proc.events.waitFor(newMail(id), 'bob INBOX');
    // Each over NOTIFY, on one connection: the early ones were taken, none left over.
    expect(proxy.accepted).toBe(2);
    expect(proxy.open).toBe(2);
    const taken = proc.stderr().match(/^.*on the connection opened at start$/gm) ?? [];
    expect(taken.map((line) => line.replace(/^.*?(ann|bob).*$/, '$1')).sort()).toEqual([
      'ann',
      'bob',
    ]);
  });

  it('costs the server of a config it refuses one connection, closed with nothing sent', async () => {
    const { proxy, sent } = await countingProxy();
    const proc = startWatch({
      configFile: writeConfig({
        accounts: [{ ...account('work', 'u', 'p', { port: proxy.port }), pollSeconds: 1 }],
      }),
      stateDir: newStateDir(),
    });
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('accounts[0].pollSeconds:');
    await waitUntil(() => proxy.accepted === 1 && proxy.open === 0, 5_000);
    expect(sent.bytes).toBe(0);
  });
});
