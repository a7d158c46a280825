/**
 * A fixture for start-up at scale: one throwaway IMAP server (Dovecot, Cyrus or Courier) with
 * N users (distinct accounts) of M mailboxes each, and a `tidings watch --json` over all of
 * them that notes when every (account, mailbox) has reported idle, and how it is watched, in
 * constant time per line (the EventLog's waits scan every line for every waiter, which at
 * 10,000 mailboxes would load the machine being measured).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  startImapServer,
  type ImapServerKind,
  type ImapTestServer,
} from '../../test/support/imap-servers.js';
import {
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../test/support/watch-process.js';
import { mailboxNames } from './fixture.js';
import type { EnvChanges } from './node-env.js';

/** The server of a scale run, its users (one per account) and each user's mailboxes. */
export interface ManyAccounts {
  server: ImapTestServer;
  users: string[];
  /** As the server spells them (Courier: INBOX.Box2…). */
  mailboxes: string[];
}

/** What the server of a scale run is. */
export interface ManyAccountsServer {
  kind: ImapServerKind;
  /** Dovecot only: NOTIFY left out of its capabilities, so Tidings falls back as on the others. */
  withoutNotify?: boolean;
  /** Dovecot only: imap-login's mode (test/support/dovecot.ts); its default when not given. */
  loginMode?: 'high-security' | 'high-performance';
}

/**
 * Connections the server takes at once from 127.0.0.1. Without NOTIFY an account of 50
 * mailboxes holds 9 (8 IDLE, 1 poller; Tidings' default budget of 10, one kept spare), so 20
 * accounts hold 180, near the 200 the suites' Cyrus and Courier allow (Dovecot: 100 imap
 * processes), and a restart's connections can overlap the last run's for a moment.
 */
const MAX_CONNECTIONS = 1000;

/**
 * Starts the server with users u1…uN, each with INBOX and Box2…BoxM, created over IMAP (CREATE):
 * `parallel` users at a time.
 */
export async function startManyAccounts(
  what: ManyAccountsServer,
  accounts: number,
  mailboxes: number,
  parallel = 4,
): Promise<ManyAccounts> {
  const users = Array.from({ length: accounts }, (_, i) => `u${i + 1}`);
  const server = await startImapServer(what.kind, {
    maxConnections: MAX_CONNECTIONS,
    dovecot: {
      ...(what.withoutNotify ? { withoutCapabilities: ['NOTIFY'] } : {}),
      ...(what.loginMode ? { loginMode: what.loginMode } : {}),
    },
  });
  try {
    const names = mailboxNames(mailboxes).map((name, i) =>
      i === 0 ? name : server.quirks.folder(name),
    );
    for (const user of users) await server.addUser(user, 'pw');
    const queue = [...users];
    const worker = async () => {
      for (let user = queue.shift(); user; user = queue.shift()) {
        await server.withClient(user, async (client) => {
          for (const name of names.slice(1)) await client.mailboxCreate(name);
        });
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return { server, users, mailboxes: names };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A config with one account per user (id = user name) on `port`, its mailboxes listed, or with
 * `all`, `"mailboxes": "all"` (a list holds at most 200 names; "all" watches up to 1,000).
 */
export function manyAccountsConfig(
  setup: ManyAccounts,
  port = setup.server.port,
  all = false,
): unknown {
  return {
    accounts: setup.users.map((user) => ({
      id: user,
      host: setup.server.host,
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
  /**
   * How many mailboxes were watched each way (`via`: notify, idle, poll) as each last reported
   * idle before all were: the split at all idle.
   */
  watchedVia(): Map<string, number>;
  /** How many `new-mail` lines so far, and how many distinct Message-IDs among them. */
  newMail(): { lines: number; distinct: number };
}

/** A fresh state directory, in `parent` (the system's temp dir by default). */
export function freshStateDir(parent = tmpdir()): string {
  return mkdtempSync(path.join(parent, 'tidings-bench-state-'));
}

/**
 * Starts `tidings watch --json` with `config` and `stateDir` (fresh: a first start; kept from
 * a run that reached idle: a restart), waiting for every mailbox of every user to be idle; in
 * this process's environment with `env`'s changes (node-env.ts).
 */
export function startScaleWatch(
  setup: ManyAccounts,
  config: unknown,
  stateDir: string,
  timeoutMs: number,
  env: EnvChanges = {},
): ScaleWatch {
  const configFile = writeConfig(config);
  const pending = new Set(setup.users.flatMap((u) => setup.mailboxes.map((m) => `${u}\n${m}`)));
  const messageIds = new Set<string>();
  const via = new Map<string, string>();
  let lines = 0;
  let reached: (at: number) => void = () => {};
  const allIdle = new Promise<number>((resolve) => (reached = resolve));
  const startedAt = performance.now();
  const proc = startWatch({ configFile, stateDir, env });
  const push = proc.events.push.bind(proc.events);
  proc.events.push = (event: WatchEvent) => {
    const at = performance.now();
    if (event.event === 'status' && event.state === 'idle' && pending.size > 0) {
      const key = `${String(event.account)}\n${String(event.mailbox)}`;
      pending.delete(key);
      via.set(key, String(event.via));
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
    watchedVia() {
      const counts = new Map<string, number>();
      for (const how of via.values()) counts.set(how, (counts.get(how) ?? 0) + 1);
      return counts;
    },
  };
}
