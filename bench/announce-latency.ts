/**
 * Announcement latency: APPEND completed → `new-mail` line from `tidings watch --json`, with
 * 1, 10 and 50 watched mailboxes (mail goes to INBOX; the other watchers idle beside it),
 * beside the floor of a raw IDLE client on INBOX in the same run.
 *
 * Dovecot sends an idling client its EXISTS about 0.5 s after it notices a change, and
 * Tidings' own FETCH after one message touches the mailbox index, which can start the raw
 * client's timer early for the next: at a 100 ms cadence the floor reads low. Spaced 1 s
 * apart (`--spacing-ms 1000`), each message starts both timers afresh.
 *
 * What Tidings itself adds is measured cleanly from its own EXISTS: a passive tap between it
 * and Dovecot timestamps each "* N EXISTS" as it is forwarded to Tidings, and the figure is
 * from there to the `new-mail` line (DONE, NOOP, UID FETCH, JSON line, pipe).
 *
 *   npm run bench -- announce-latency [--messages 200] [--spacing-ms 100] [--mailboxes 1,10,50]
 */
import { parseArgs } from 'node:util';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import {
  benchAccount,
  mailboxNames,
  pause,
  startBenchDovecot,
  startTimedWatch,
} from './support/fixture.js';
import { startRawIdleClient } from './support/raw-idle-client.js';
import { summarize } from './support/stats.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';

/** Runs the benchmark and prints its table. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '200' },
      'spacing-ms': { type: 'string', default: '100' },
      mailboxes: { type: 'string', default: '1,10,50' },
    },
  });
  const count = Number(values.messages);
  const spacing = Number(values['spacing-ms']);
  for (const mailboxCount of values.mailboxes.split(',').map(Number)) {
    await measure(count, spacing, mailboxCount);
  }
}

async function measure(count: number, spacing: number, mailboxCount: number): Promise<void> {
  const mailboxes = mailboxNames(mailboxCount);
  const dovecot = await startBenchDovecot(mailboxCount);
  // A high burst threshold: every message gets its own line, so each can be timed.
  // INBOX grows by one per message; the first EXISTS at or above i announced message i.
  const existsAt = new Map<number, number>();
  const tap = await startFaultProxy(dovecot.port, '127.0.0.1', (chunk, fromClient) => {
    if (fromClient) return;
    const at = performance.now();
    for (const match of chunk.toString('latin1').matchAll(/\* (\d+) EXISTS\r\n/g)) {
      const n = Number(match[1]);
      if (n > 0 && !existsAt.has(n)) existsAt.set(n, at);
    }
  });
  const watch = startTimedWatch({
    accounts: [benchAccount(dovecot, mailboxes, tap.port)],
    notifications: { burstThreshold: 1000 },
  });
  try {
    await watch.allIdle(mailboxes);
    const raw = await startRawIdleClient(dovecot.port, 'bench', 'pw');
    const sent: Array<{ id: string; at: number }> = [];
    await dovecot.withClient('bench', async (client) => {
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const id = newMessageId();
        await client.append('INBOX', buildMessage({ messageId: id, subject: `bench ${i}` }));
        sent.push({ id, at: performance.now() });
        await pause(Math.max(0, start + (i + 1) * spacing - performance.now()));
      }
    });
    const lines = await Promise.all(
      sent.map(({ id }) =>
        watch.proc.events.waitFor((e) => e.event === 'new-mail' && e.messageId === id, id, 30_000),
      ),
    );
    const floorAt = await Promise.all(sent.map((_, i) => raw.waitForCount(i + 1, 30_000)));
    raw.close();
    const tidings = lines.map(
      (line, i) => (watch.arrivals.get(line) ?? Number.NaN) - (sent[i]?.at ?? 0),
    );
    const floor = floorAt.map((at, i) => at - (sent[i]?.at ?? 0));
    const over = tidings.map((t, i) => t - (floor[i] ?? 0));
    const firstExistsAtOrAbove = (n: number) =>
      Math.min(...[...existsAt].filter(([count]) => count >= n).map(([, at]) => at));
    const own = lines.map(
      (line, i) => (watch.arrivals.get(line) ?? Number.NaN) - firstExistsAtOrAbove(i + 1),
    );
    const duplicates = watch.proc.events.filter((e) => e.event === 'new-mail').length - count;
    console.log(
      `announce-latency: ${count} messages ${spacing} ms apart, ${mailboxCount} watched mailbox(es) (ms)`,
    );
    console.log(`  tidings watch    ${summarize(tidings)}`);
    console.log(`  raw IDLE floor   ${summarize(floor)}`);
    console.log(`  tidings − floor  ${summarize(over)}`);
    console.log(`  EXISTS → line    ${summarize(own)}   (what Tidings adds)`);
    console.log(`  announced ${lines.length} of ${count}, extra announcements: ${duplicates}`);
  } finally {
    await watch.proc.stop();
    await tap.close();
    await dovecot.stop();
  }
}
