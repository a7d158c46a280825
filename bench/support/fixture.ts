/**
 * A benchmark fixture: a throwaway Dovecot with one user and N mailboxes, and the real
 * `tidings watch --json` watching all of them (or the engine, where a trigger can only be
 * injected through its ports).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { startDovecot, type Dovecot, type DovecotOptions } from '../../test/support/dovecot.js';
import {
  imapServerKinds,
  startImapServer,
  type ImapServerKind,
} from '../../test/support/imap-servers.js';
import type { PopupServer } from './popup-server.js';
import {
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../test/support/watch-process.js';

/** Mailbox names for N watched mailboxes: INBOX and Box2…BoxN. */
export function mailboxNames(count: number): string[] {
  return ['INBOX', ...Array.from({ length: count - 1 }, (_, i) => `Box${i + 2}`)];
}

/** Starts Dovecot with user `bench` and `count` mailboxes. */
export async function startBenchDovecot(count: number): Promise<Dovecot> {
  const dovecot = await startDovecot({ bench: 'pw' });
  await dovecot.withClient('bench', async (client) => {
    for (const name of mailboxNames(count).slice(1)) await client.mailboxCreate(name);
  });
  return dovecot;
}

/** A bench server of any kind, with user `bench` (password `pw`) and its mailboxes. */
export interface BenchServer {
  kind: ImapServerKind;
  host: string;
  port: number;
  /** The watched mailboxes as this server spells them (Courier: INBOX.Box2…). */
  mailboxes: string[];
  withClient<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Parses `--server`. */
export function parseServerKind(text: string): ImapServerKind {
  const kind = imapServerKinds.find((k) => k === text);
  if (!kind) throw new Error(`--server wants one of ${imapServerKinds.join(', ')} (got "${text}")`);
  return kind;
}

/**
 * Starts a server of `kind` with user `bench` and `count` mailboxes. Dovecot takes
 * `dovecotOptions` (e.g. NOTIFY removed, a connection cap); Cyrus and Courier start as the
 * server suite starts them (test/support/imap-servers.ts: root and /opt/tidings-test-servers).
 */
export async function startBenchServer(
  kind: ImapServerKind,
  count: number,
  dovecotOptions: DovecotOptions = {},
): Promise<BenchServer> {
  if (kind === 'dovecot') {
    const dovecot = await startDovecot({ bench: 'pw' }, undefined, dovecotOptions);
    const mailboxes = mailboxNames(count);
    await dovecot.withClient('bench', async (client) => {
      for (const name of mailboxes.slice(1)) await client.mailboxCreate(name);
    });
    return {
      kind,
      host: dovecot.host,
      port: dovecot.port,
      mailboxes,
      withClient: (fn) => dovecot.withClient('bench', fn),
      stop: () => dovecot.stop(),
    };
  }
  const server = await startImapServer(kind);
  await server.addUser('bench', 'pw');
  const mailboxes = mailboxNames(count).map((name, i) =>
    i === 0 ? name : server.quirks.folder(name),
  );
  for (const name of mailboxes.slice(1)) await server.createMailbox('bench', name);
  return {
    kind,
    host: server.host,
    port: server.port,
    mailboxes,
    withClient: (fn) => server.withClient('bench', fn),
    stop: () => server.stop(),
  };
}

/**
 * The account entry for the bench user, watching `mailboxes` on `port`; `extra` adds account
 * settings (watchMode, pollSeconds, maxConnections).
 */
export function benchAccount(
  server: { host: string; port: number },
  mailboxes: string[],
  port = server.port,
  extra: Record<string, unknown> = {},
) {
  return {
    id: 'b',
    host: server.host,
    port,
    tls: 'none',
    allowInsecureAuth: true,
    user: 'bench',
    password: 'pw',
    mailboxes,
    ...extra,
  };
}

/** Parses `--watch-mode` into the account's `watchMode` (auto is the default: NOTIFY). */
export function parseWatchMode(text: string): 'auto' | 'notify' | 'idle' {
  if (text === 'auto' || text === 'notify' || text === 'idle') return text;
  throw new Error(`--watch-mode wants auto, notify or idle (got "${text}")`);
}

/** A running `tidings watch`, with each JSON line's arrival time. */
export interface TimedWatch {
  proc: WatchProcess;
  arrivals: Map<WatchEvent, number>;
  startedAt: number;
  /** Resolves with the time at which all `mailboxes` had reported idle (after `from`). */
  allIdle(mailboxes: string[], from?: number, timeoutMs?: number): Promise<number>;
}

// startWatch always passes --no-desktop; this launcher drops it and execs the rest, so the
// process (and its pid, which gets the signals) is still `tidings watch` itself.
const WITH_DESKTOP = [
  '/bin/sh',
  '-c',
  'for a do shift; [ "$a" = --no-desktop ] || set -- "$@" "$a"; done; exec "$@"',
  'sh',
];

/**
 * Starts `tidings watch` with `config` (defaults filled by the CLI itself); with `popups`,
 * desktop popups on, shown to that recording notification server.
 */
export function startTimedWatch(config: unknown, popups?: PopupServer): TimedWatch {
  const startedAt = performance.now();
  const proc = startWatch({
    configFile: writeConfig(config),
    stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-bench-state-')),
    ...(popups ? { env: popups.env, launcher: WITH_DESKTOP } : {}),
  });
  const arrivals = new Map<WatchEvent, number>();
  const push = proc.events.push.bind(proc.events);
  proc.events.push = (event) => {
    arrivals.set(event, performance.now());
    push(event);
  };
  return {
    proc,
    arrivals,
    startedAt,
    async allIdle(mailboxes, from = 0, timeoutMs = 120_000) {
      const idle = await Promise.all(
        mailboxes.map((mailbox) =>
          proc.events.waitFor(
            (e) => e.event === 'status' && e.mailbox === mailbox && e.state === 'idle',
            `${mailbox} idle`,
            timeoutMs,
            from,
          ),
        ),
      );
      return Math.max(...idle.map((event) => arrivals.get(event) ?? Number.NaN));
    },
  };
}

/** CPU seconds (user + system) and RSS of a process, from /proc (Linux). */
export function processUsage(pid: number): {
  cpuSeconds: number;
  systemSeconds: number;
  rssMb: number;
} {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const system = Number(fields[12]); // stime (field 15): the kernel's share, sockets and files
  const ticks = Number(fields[11]) + system; // utime + stime (fields 14 and 15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { cpuSeconds: ticks / 100, systemSeconds: system / 100, rssMb: rssKb / 1024 };
}

/** Sleeps. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true once `check()` holds, or false after `timeoutMs` (polled, so it never throws). */
export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() >= deadline) return false;
    await pause(50);
  }
  return true;
}

/** The arrival time of the first `new-mail` line of each Message-ID, and how many lines in all. */
export function newMailLines(watch: TimedWatch): { firstAt: Map<string, number>; total: number } {
  const firstAt = new Map<string, number>();
  const lines = watch.proc.events.filter((e) => e.event === 'new-mail');
  for (const line of lines) {
    const id = String(line.messageId);
    if (!firstAt.has(id)) firstAt.set(id, watch.arrivals.get(line) ?? Number.NaN);
  }
  return { firstAt, total: lines.length };
}

/** How a burst reaches INBOX: one MOVE of the staged messages, or one APPEND each. */
export type BurstMode = 'move' | 'append';

/**
 * Delivers a burst into INBOX through `client` (`move`: every message staged in "Staging"
 * moved at once); resolves with the time the last command completed.
 */
export async function deliverBurst(
  client: ImapFlow,
  mode: BurstMode,
  messages: readonly string[],
): Promise<number> {
  if (mode === 'move') {
    await client.mailboxOpen('Staging');
    await client.messageMove('1:*', 'INBOX');
  } else {
    for (const message of messages) await client.append('INBOX', message);
  }
  return performance.now();
}
