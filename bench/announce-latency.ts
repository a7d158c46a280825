/**
 * Announcement latency: APPEND completed → `new-mail` line from `tidings watch --json`, beside
 * the floor of a raw IDLE client on the same mailbox in the same run.
 *
 * Dovecot sends an idling client its EXISTS about 0.5 s after it notices a change. Spaced
 * 1 s apart, each message starts that timer afresh for both clients, and the floor is clean.
 * Spaced 100 ms apart, Tidings' own FETCH after one message touches the mailbox index and
 * starts the raw client's timer early for the next, so the floor reads low: both are printed.
 *
 *   npm run bench -- announce-latency [--messages 50] [--spacing-ms 1000,100]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDovecot } from '../test/support/dovecot.js';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import {
  isStatus,
  startWatch,
  writeConfig,
  type WatchEvent,
} from '../test/support/watch-process.js';
import { startRawIdleClient } from './support/raw-idle-client.js';
import { summarize } from './support/stats.js';

/** Runs the benchmark and prints its table. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '50' },
      'spacing-ms': { type: 'string', default: '1000,100' },
    },
  });
  const count = Number(values.messages);
  const spacings = values['spacing-ms'].split(',').map(Number);
  const dovecot = await startDovecot({ bench: 'pw' });
  const account = { host: dovecot.host, port: dovecot.port, tls: 'none', allowInsecureAuth: true };
  const watch = startWatch({
    configFile: writeConfig({ accounts: [{ id: 'b', ...account, user: 'bench', password: 'pw' }] }),
    stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-bench-')),
  });
  // Arrival time of each new-mail line, by Message-ID, stamped as the line is parsed.
  const seen = new Map<string, number>();
  const originalPush = watch.events.push.bind(watch.events);
  watch.events.push = (event) => {
    if (event.event === 'new-mail') seen.set(String(event.messageId), performance.now());
    originalPush(event);
  };
  try {
    await watch.events.waitFor(isStatus('b', 'INBOX', 'idle'), 'idle', 20_000);
    const raw = await startRawIdleClient(dovecot.port, 'bench', 'pw');
    let delivered = 0;
    for (const spacing of spacings) {
      const tidings: number[] = [];
      const floor: number[] = [];
      await dovecot.withClient('bench', async (client) => {
        for (let i = 1; i <= count; i++) {
          const id = newMessageId();
          await client.append('INBOX', buildMessage({ messageId: id, subject: `bench ${i}` }));
          const appended = performance.now();
          const rawAt = await raw.waitForCount(++delivered);
          const isThisMail = (e: WatchEvent) => e.event === 'new-mail' && e.messageId === id;
          await watch.events.waitFor(isThisMail, `mail ${i}`, 10_000);
          floor.push(rawAt - appended);
          tidings.push((seen.get(id) ?? Number.NaN) - appended);
          await new Promise((resolve) => setTimeout(resolve, spacing));
        }
      });
      const over = tidings.map((t, i) => t - (floor[i] ?? 0));
      console.log(`announce-latency: ${count} messages, ${spacing} ms apart, 1 mailbox (ms)`);
      console.log(`  tidings watch   ${summarize(tidings)}`);
      console.log(`  raw IDLE floor  ${summarize(floor)}`);
      console.log(`  tidings − floor ${summarize(over)}`);
    }
    raw.close();
  } finally {
    await watch.stop();
    await dovecot.stop();
  }
}
