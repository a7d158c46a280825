/**
 * Burst: 1,000 messages appended as fast as one client can, while `tidings watch` idles on the
 * mailbox (default burst threshold 5). Reports the time until every message is accounted for
 * in `new-mail` or `summary` lines, and how many notifications that would have shown.
 *
 *   npm run bench -- burst [--messages 1000]
 */
import { parseArgs } from 'node:util';
import { buildMessage, newMessageId } from '../test/support/messages.js';
import { benchAccount, startBenchDovecot, startTimedWatch } from './support/fixture.js';

/** Runs the benchmark and prints its figures. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { messages: { type: 'string', default: '1000' } },
  });
  const count = Number(values.messages);
  const dovecot = await startBenchDovecot(1);
  const watch = startTimedWatch({ accounts: [benchAccount(dovecot, ['INBOX'])] });
  try {
    await watch.allIdle(['INBOX']);
    const ids = new Set(Array.from({ length: count }, () => newMessageId()));
    const started = performance.now();
    let appendedAt = 0;
    await dovecot.withClient('bench', async (client) => {
      for (const messageId of ids) await client.append('INBOX', buildMessage({ messageId }));
      appendedAt = performance.now();
    });
    const accounted = (e: { event: string }) => e.event === 'new-mail' || e.event === 'summary';
    const covered = () =>
      watch.proc.events
        .filter(accounted)
        .reduce((sum, e) => sum + (e.event === 'summary' ? Number(e.count) : 1), 0);
    await watch.proc.events.waitFor(
      () => covered() >= count,
      `all ${count} accounted for`,
      120_000,
    );
    const lastAt = Math.max(
      ...watch.proc.events.filter(accounted).map((e) => watch.arrivals.get(e) ?? 0),
    );
    const announced = watch.proc.events.filter(accounted);
    const seen = announced.flatMap((e) =>
      e.event === 'summary' ? (e.messageIds as string[]) : [String(e.messageId)],
    );
    console.log(`burst: ${count} messages appended back to back (burst threshold 5)`);
    console.log(`  appending took            ${(appendedAt - started).toFixed(0)} ms`);
    console.log(
      `  first APPEND → all known  ${(lastAt - started).toFixed(0)} ms (last APPEND → all known ${(lastAt - appendedAt).toFixed(0)} ms)`,
    );
    console.log(
      `  notifications: ${announced.length} (${announced.filter((e) => e.event === 'summary').length} summaries, ` +
        `${announced.filter((e) => e.event === 'new-mail').length} single); ` +
        `distinct messages ${new Set(seen).size}, all from this burst: ${seen.every((id) => ids.has(id))}`,
    );
  } finally {
    await watch.proc.stop();
    await dovecot.stop();
  }
}
