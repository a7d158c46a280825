/**
 * Config reload of a real `tidings watch --json` against the test Dovecot: SIGHUP and a
 * change of the file apply a good config without a restart and refuse a bad one.
 */
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { createHookScript } from '../../support/hook-script.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
  waitForStderr,
} from '../../support/watch-process.js';

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));
let userCount = 0;

function newUser(): string {
  const user = `reload${++userCount}`;
  dovecot.addUser(user, 'secret');
  return user;
}

function account(id: string, user: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none',
    allowInsecureAuth: true,
    user,
    password: 'secret',
    ...extra,
  };
}

function config(accounts: unknown[], extra: Record<string, unknown> = {}) {
  return { accounts, liveness: { heartbeatSeconds: 5, commandTimeoutSeconds: 5 }, ...extra };
}

async function watch(configFile: string, idle: Array<[string, string]>): Promise<WatchProcess> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
  const proc = startWatch({ configFile, stateDir });
  cleanups.push(() => proc.stop());
  await waitIdle(proc, idle);
  return proc;
}

async function waitIdle(proc: WatchProcess, idle: Array<[string, string]>, from = 0) {
  try {
    await Promise.all(
      idle.map(([a, m]) =>
        proc.events.waitFor(isStatus(a, m, 'idle'), `${a}/${m} idle`, 15_000, from),
      ),
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nstderr:\n${proc.stderr()}`);
  }
}

/** Appends one message and waits for its new-mail line. */
async function deliver(proc: WatchProcess, user: string, mailbox = 'INBOX'): Promise<WatchEvent> {
  const messageId = newMessageId();
  await dovecot.append(user, mailbox, [buildMessage({ messageId })]);
  return proc.events.waitFor(
    (e) => e.event === 'new-mail' && e.messageId === messageId,
    `new mail in ${user}/${mailbox}`,
  );
}

/** Successful logins of `user` in Dovecot's log so far. */
function logins(user: string): number {
  const log = readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
  return log.split('\n').filter((line) => line.includes(`Login: user=<${user}>`)).length;
}

/** Waits until Dovecot has logged at least `count` logins of `user` (it logs a moment late). */
async function loginsReaching(user: string, count: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (logins(user) < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return logins(user);
}

/** Statuses of one watcher from index `from` on. */
const statusesOf = (proc: WatchProcess, account: string, mailbox: string, from: number) =>
  proc.events.items
    .slice(from)
    .filter((e) => e.event === 'status' && e.account === account && e.mailbox === mailbox);

/** The same, only those of a new connection (a watcher replaced or reconnecting). */
const reconnectsOf = (proc: WatchProcess, account: string, mailbox: string, from: number) =>
  statusesOf(proc, account, mailbox, from).filter(
    (e) => e.state === 'connecting' || e.state === 'stopped',
  );

describe('tidings watch config reload', () => {
  it('watches an added account and mailbox after SIGHUP, leaving the untouched watcher connected', async () => {
    const ann = newUser();
    const bob = newUser();
    await dovecot.withClient(ann, (client) => client.mailboxCreate('Work'));
    // IDLE per mailbox: an added mailbox is a connection of its own, the others stay as they
    // are (a NOTIFY account reconnects its one connection instead: engine/watch-modes.test.ts).
    const idle = { watchMode: 'idle' };
    const file = writeConfig(config([account('ann', ann, idle)]));
    const proc = await watch(file, [['ann', 'INBOX']]);
    // The mailbox's creation and the watcher: two logins of ann's so far.
    expect(await loginsReaching(ann, 2)).toBe(2);

    const from = proc.events.items.length;
    writeFileSync(
      file,
      JSON.stringify(
        config([
          account('ann', ann, { ...idle, mailboxes: ['INBOX', 'Work'] }),
          account('bob', bob),
        ]),
      ),
    );
    proc.signal('SIGHUP');
    await waitIdle(
      proc,
      [
        ['ann', 'Work'],
        ['bob', 'INBOX'],
      ],
      from,
    );
    await waitForStderr(proc, /SIGHUP: config reloaded from /);
    expect(statusesOf(proc, 'ann', 'INBOX', from)).toEqual([]);
    // ann/Work's connection is the one new login of ann's.
    expect(await loginsReaching(ann, 3)).toBe(3);

    expect((await deliver(proc, bob)).account).toBe('bob');
    expect((await deliver(proc, ann, 'Work')).mailbox).toBe('Work');
    expect((await deliver(proc, ann)).mailbox).toBe('INBOX');
    expect(reconnectsOf(proc, 'ann', 'INBOX', from)).toEqual([]);
    // And the two APPENDs above: ann/INBOX's watcher never logged in again.
    expect(await loginsReaching(ann, 5)).toBe(5);
  });

  it('refuses a broken config on SIGHUP, naming the problem, and keeps watching with the old one', async () => {
    const ann = newUser();
    const file = writeConfig(config([account('ann', ann)]));
    const proc = await watch(file, [['ann', 'INBOX']]);
    const from = proc.events.items.length;

    writeFileSync(file, '{"accounts": [ {"id": "ann", }');
    proc.signal('SIGHUP');
    await waitForStderr(
      proc,
      /error SIGHUP: config refused, keeping the running one: .*config\.json: invalid configuration/,
    );
    expect(proc.stderr()).toMatch(/ {2}not valid JSON: line 1, column \d+/);

    writeFileSync(file, JSON.stringify(config([account('ann', ann, { port: 'nine' })])));
    proc.signal('SIGHUP');
    await waitForStderr(proc, /config refused/, 2);
    expect(proc.stderr()).toMatch(/ {2}accounts\[0\]\.port: /);

    expect((await deliver(proc, ann)).account).toBe('ann');
    expect(reconnectsOf(proc, 'ann', 'INBOX', from)).toEqual([]);
    // One refusal per SIGHUP; the file's own change events for the same text add none.
    expect(proc.stderr().match(/config refused/g)).toHaveLength(2);
    expect(proc.running()).toBe(true);
  });

  it('reloads without a signal when an editor replaces the file, and hooks use the new config', async () => {
    const ann = newUser();
    const bob = newUser();
    const hook = createHookScript();
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-cfg-'));
    const file = writeConfig(config([account('ann', ann)]), dir);
    const proc = await watch(file, [['ann', 'INBOX']]);
    const before = await deliver(proc, ann);
    const from = proc.events.items.length;

    // Save as editors do: write a new file beside it, then rename it over the old one.
    const next = path.join(dir, '.config.json.swp');
    writeFileSync(
      next,
      JSON.stringify(
        config([account('ann', ann), account('bob', bob)], {
          hooks: { onNewMail: hook.argv() },
        }),
      ),
    );
    renameSync(next, file);
    await waitIdle(proc, [['bob', 'INBOX']], from);
    await waitForStderr(proc, /config file changed: config reloaded from /);

    const after = await deliver(proc, ann);
    const [run] = await hook.waitForRuns(1);
    expect(run?.env.TIDINGS_UID).toBe(String(after.uid));
    expect(hook.runs()).toHaveLength(1);
    expect(before.uid).not.toBe(after.uid);
    // A global hook is not a change of ann's connection.
    expect(reconnectsOf(proc, 'ann', 'INBOX', from)).toEqual([]);
  });
});
