/**
 * The fallback without NOTIFY (issue 13): Dovecot with NOTIFY left out of its capabilities
 * and `mail_max_userip_connections` 5, `tidings watch --json` (watchMode auto) watching 20
 * mailboxes of the account. Tidings falls back to IDLE on INBOX and as many others as its
 * connection budget allows (one kept spare) and polls the rest with STATUS every
 * `pollSeconds` on one shared connection. A stream goes round-robin into pushed and polled
 * mailboxes; every message must be announced once, none twice, and no watcher refused.
 *
 *   npm run bench -- fallback [--mailboxes 20] [--max-user-ip 5] [--max-connections 5|none]
 *        [--poll-seconds 20] [--stream 40@500] [--into INBOX,Box2,Box3,Box10,Box20]
 *
 * `--max-connections` is the account's `maxConnections` (what a user of such a server sets;
 * `none` leaves Tidings at its default of 10, above the server's cap). `--poll-seconds`
 * below the default 60 keeps the run short; a polled message waits up to one period.
 * Connections are counted by a tap in front of Dovecot, refusals from the server's answers
 * (Dovecot says "Maximum number of connections from user+IP exceeded") and from the
 * watchers' states. The latency of a message is APPEND → its `new-mail` line; a polled
 * mailbox's is also given apart for messages after which mail reached a pushed mailbox (issue
 * 23: the account is active, so polled mailboxes are looked at soon) and for the others.
 */
import { parseArgs } from 'node:util';
import type { ImapFlow } from 'imapflow';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import {
  benchAccount,
  newMailLines,
  pause,
  startBenchServer,
  startTimedWatch,
  waitUntil,
} from './support/fixture.js';
import { summarize } from './support/stats.js';

// After the last line, how long to keep listening for a late duplicate.
const DUPLICATE_WINDOW_MS = 2_000;

/** Runs the benchmark and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mailboxes: { type: 'string', default: '20' },
      'max-user-ip': { type: 'string', default: '5' },
      'max-connections': { type: 'string', default: '5' },
      'poll-seconds': { type: 'string', default: '20' },
      stream: { type: 'string', default: '40@500' },
      into: { type: 'string', default: 'INBOX,Box2,Box3,Box10,Box20' },
    },
  });
  const count = positive(values.mailboxes, '--mailboxes');
  const maxUserIp = positive(values['max-user-ip'], '--max-user-ip');
  const maxConnections =
    values['max-connections'] === 'none'
      ? undefined
      : positive(values['max-connections'], '--max-connections');
  const pollSeconds = positive(values['poll-seconds'], '--poll-seconds');
  const [messageCount, spacing] = values.stream.split('@').map(Number);
  if (!messageCount || spacing === undefined || Number.isNaN(spacing)) {
    throw new Error(`--stream wants COUNT@SPACING_MS, e.g. 40@500 (got "${values.stream}")`);
  }
  const [messages, spacingMs] = [messageCount, spacing];
  const into = values.into.split(',');

  const server = await startBenchServer('dovecot', count, {
    maxUserIpConnections: maxUserIp,
    withoutCapabilities: ['NOTIFY'],
  });
  const unknown = into.filter((m) => !server.mailboxes.includes(m));
  if (unknown.length > 0) {
    await server.stop();
    throw new Error(`--into names mailboxes that are not watched: ${unknown.join(', ')}`);
  }
  // Refusals as the server words them, counted on the way to Tidings.
  let refusals = 0;
  const tap = await startFaultProxy(server.port, '127.0.0.1', (chunk, fromClient) => {
    if (fromClient) return;
    refusals += chunk.toString('latin1').match(/Maximum number of connections/g)?.length ?? 0;
  });
  let maxOpen = 0;
  const sampler = setInterval(() => (maxOpen = Math.max(maxOpen, tap.open)), 20);
  const extra = { pollSeconds, ...(maxConnections ? { maxConnections } : {}) };
  // The user's own mail client (here: the sender) is connected before Tidings starts, as it
  // would be, and holds one of the server's slots throughout (straight to Dovecot).
  await server.withClient(async (sender) => {
    const watch = startTimedWatch({
      accounts: [benchAccount(server, server.mailboxes, tap.port, extra)],
    });
    try {
      await stream(sender, watch);
    } finally {
      clearInterval(sampler);
      await watch.proc.stop();
    }
  });
  await tap.close();
  await server.stop();

  async function stream(client: ImapFlow, watch: ReturnType<typeof startTimedWatch>) {
    const idleAt = await watch.allIdle(server.mailboxes, 0, 60_000).catch(() => Number.NaN);
    const via = new Map<string, string>();
    for (const e of watch.proc.events.filter((e) => e.event === 'status')) {
      if (e.state === 'idle') via.set(String(e.mailbox), String(e.via ?? '?'));
    }
    const atRest = { open: tap.open, accepted: tap.accepted, refusals };

    const sent: Array<{ id: string; mailbox: string; at: number }> = [];
    const start = performance.now();
    for (let i = 0; i < messages; i++) {
      const id = newMessageId();
      const mailbox = into[i % into.length] ?? 'INBOX';
      await client.append(mailbox, buildMessage({ messageId: id, subject: `fallback ${i}` }));
      sent.push({ id, mailbox, at: performance.now() });
      await pause(Math.max(0, start + (i + 1) * spacingMs - performance.now()));
    }
    const allSeen = () => sent.every(({ id }) => newMailLines(watch).firstAt.has(id));
    await waitUntil(allSeen, pollSeconds * 1000 + 15_000);
    await pause(DUPLICATE_WINDOW_MS);
    const { firstAt, total } = newMailLines(watch);
    const announced = sent.filter(({ id }) => firstAt.has(id)).length;
    const problems = watch.proc.events.filter(
      (e) => e.event === 'status' && ['backoff', 'error', 'auth-failed'].includes(String(e.state)),
    );

    const pushed = [...via].filter(([, v]) => v === 'idle').map(([m]) => m);
    const polled = [...via].filter(([, v]) => v === 'poll').map(([m]) => m);
    console.log(
      `fallback: Dovecot without NOTIFY, mail_max_userip_connections ${maxUserIp}, ${count} ` +
        `watched mailboxes, maxConnections ${maxConnections ?? 'unset (default 10)'}, ` +
        `pollSeconds ${pollSeconds}; ${messages} messages ${spacingMs} ms apart into ${into.join(', ')}`,
    );
    console.log(
      `  all idle after ${(idleAt - watch.startedAt).toFixed(0)} ms; at rest ${atRest.open} ` +
        `connection(s) open (${atRest.accepted} accepted), Tidings' most open at once ` +
        `${maxOpen}, server refusals by then ${atRest.refusals}; the sender's connection ` +
        `(straight to Dovecot) is one more`,
    );
    console.log(`  pushed (IDLE, ${pushed.length}): ${pushed.join(', ')}`);
    console.log(`  polled (STATUS, ${polled.length}): ${polled.join(', ')}`);
    const latencyOf = ({ id, at }: { id: string; at: number }) =>
      (firstAt.get(id) ?? Number.NaN) - at;
    // Issue 23: a polled mailbox is looked at soon when mail reaches a pushed one after it.
    const pushedAfter = (at: number) => sent.some((m) => pushed.includes(m.mailbox) && m.at > at);
    const inPolled = sent.filter(({ mailbox }) => polled.includes(mailbox));
    for (const [label, group] of [
      ['pushed', sent.filter(({ mailbox }) => pushed.includes(mailbox))],
      ['polled', inPolled],
      ['polled, pushed mail after it', inPolled.filter(({ at }) => pushedAfter(at))],
      ['polled, no pushed mail after it', inPolled.filter(({ at }) => !pushedAfter(at))],
    ] as const) {
      const latencies = group.map(latencyOf).filter((v) => !Number.isNaN(v));
      if (latencies.length === 0) continue;
      console.log(`  APPEND → line, ${label}: ${summarize(latencies)}`);
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(`    sorted (ms): ${sorted.map((v) => v.toFixed(0)).join(' ')}`);
    }
    console.log(
      `  announced ${announced} of ${sent.length}, duplicates ${total - announced}, missing ` +
        `${sent.length - announced}; server refusals ${refusals}; watcher states backoff/error ` +
        `${problems.length}${problems.length > 0 ? ` (${byMailbox(problems)}; first: ${String(problems[0]?.detail)})` : ''}`,
    );
  }
}

// "Box4 9×, Box5 8×": how often each mailbox went to backoff or error.
function byMailbox(events: ReadonlyArray<Record<string, unknown>>): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(String(e.mailbox), (counts.get(String(e.mailbox)) ?? 0) + 1);
  return [...counts].map(([mailbox, n]) => `${mailbox} ${n}×`).join(', ');
}

function positive(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${option} wants a whole number ≥ 1 (got "${text}")`);
  }
  return value;
}
