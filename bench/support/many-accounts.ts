/**
 * A fixture for start-up at scale: one throwaway Dovecot with N users (distinct accounts) of
 * M mailboxes each, and a `tidings watch --json` over all of them that notes when every
 * (account, mailbox) has reported idle, in constant time per line (the EventLog's waits scan
 * every line for every waiter, which at 10,000 mailboxes would load the machine being measured).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDovecot, type Dovecot } from '../../test/support/dovecot.js';
import {
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../test/support/watch-process.js';
import { mailboxNames } from './fixture.js';

/** The Dovecot of a scale run, its users (one per account) and each user's mailboxes. */
export interface ManyAccounts {
  dovecot: Dovecot;
  users: string[];
  mailboxes: string[];
}

/**
 * Starts Dovecot with users u1…uN, each with INBOX and Box2…BoxM, created over IMAP (CREATE):
 * `parallel` users at a time.
 */
export async function startManyAccounts(
  accounts: number,
  mailboxes: number,
  parallel = 4,
): Promise<ManyAccounts> {
  const users = Array.from({ length: accounts }, (_, i) => `u${i + 1}`);
  const dovecot = await startDovecot(Object.fromEntries(users.map((user) => [user, 'pw'])));
  const names = mailboxNames(mailboxes);
  const queue = [...users];
  const worker = async () => {
    for (let user = queue.shift(); user; user = queue.shift()) {
      await dovecot.withClient(user, async (client) => {
        for (const name of names.slice(1)) await client.mailboxCreate(name);
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { dovecot, users, mailboxes: names };
}

/**
 * A config with one account per user (id = user name) on `port`, its mailboxes listed, or with
 * `all`, `"mailboxes": "all"` (a list holds at most 200 names; "all" watches up to 1,000).
 */
export function manyAccountsConfig(
  setup: ManyAccounts,
  port = setup.dovecot.port,
  all = false,
): unknown {
  return {
    accounts: setup.users.map((user) => ({
      id: user,
      host: setup.dovecot.host,
      port,
      tls: 'none',
      allowInsecureAuth: true,
      user,
      password: 'pw',
      mailboxes: all ? 'all' : setup.mailboxes,
    })),
  };
}

/** A running `tidings watch` of a scale run. */
export interface ScaleWatch {
  proc: WatchProcess;
  stateDir: string;
  startedAt: number;
  /** Resolves with the time the last (account, mailbox) reported idle; rejects on timeout. */
  allIdle: Promise<number>;
  /** How many `new-mail` lines so far, and how many distinct Message-IDs among them. */
  newMail(): { lines: number; distinct: number };
}

/** A fresh state directory, in `parent` (the system's temp dir by default). */
export function freshStateDir(parent = tmpdir()): string {
  return mkdtempSync(path.join(parent, 'tidings-bench-state-'));
}

/**
 * Starts `tidings watch --json` with `config` and `stateDir` (fresh: a first start; kept from
 * a run that reached idle: a restart), waiting for every mailbox of every user to be idle.
 */
export function startScaleWatch(
  setup: ManyAccounts,
  config: unknown,
  stateDir: string,
  timeoutMs: number,
): ScaleWatch {
  const configFile = writeConfig(config);
  const pending = new Set(setup.users.flatMap((u) => setup.mailboxes.map((m) => `${u}\n${m}`)));
  const messageIds = new Set<string>();
  let lines = 0;
  let reached: (at: number) => void = () => {};
  const allIdle = new Promise<number>((resolve) => (reached = resolve));
  const startedAt = performance.now();
  const proc = startWatch({ configFile, stateDir });
  const push = proc.events.push.bind(proc.events);
  proc.events.push = (event: WatchEvent) => {
    const at = performance.now();
    if (event.event === 'status' && event.state === 'idle' && pending.size > 0) {
      pending.delete(`${String(event.account)}\n${String(event.mailbox)}`);
      if (pending.size === 0) reached(at);
    } else if (event.event === 'new-mail') {
      lines++;
      messageIds.add(String(event.messageId));
    }
    // Only the lines a reader may want later are kept: 10,000 status lines per start are not.
    if (event.event !== 'status' || event.state !== 'idle') push(event);
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = proc.stderr().slice(-2000);
      reject(new Error(`${pending.size} mailbox(es) not idle after ${timeoutMs} ms\n${tail}`));
    }, timeoutMs);
  });
  const exited = proc.exited.then((code) => {
    throw new Error(
      `tidings watch exited (${code}) before all idle:\n${proc.stderr().slice(-2000)}`,
    );
  });
  exited.catch(() => {});
  return {
    proc,
    stateDir,
    startedAt,
    allIdle: Promise.race([allIdle, timeout, exited]).finally(() => clearTimeout(timer)),
    newMail: () => ({ lines, distinct: messageIds.size }),
  };
}
