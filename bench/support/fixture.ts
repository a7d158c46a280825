/**
 * A benchmark fixture: a throwaway Dovecot with one user and N mailboxes, and the real
 * `tidings watch --json` watching all of them (or the engine, where a trigger can only be
 * injected through its ports).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDovecot, type Dovecot } from '../../test/support/dovecot.js';
import type { FakeNotifySend } from './fake-notify-send.js';
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

/** The account entry for the bench user, watching `mailboxes` on `port`. */
export function benchAccount(dovecot: Dovecot, mailboxes: string[], port = dovecot.port) {
  return {
    id: 'b',
    host: dovecot.host,
    port,
    tls: 'none',
    allowInsecureAuth: true,
    user: 'bench',
    password: 'pw',
    mailboxes,
  };
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
 * desktop popups on, shown through that fake notify-send.
 */
export function startTimedWatch(config: unknown, popups?: FakeNotifySend): TimedWatch {
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
export function processUsage(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
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
