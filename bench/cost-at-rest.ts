/**
 * Cost at rest: CPU time and RSS of `tidings watch` idling with 1, 10 and 50 watched mailboxes
 * (three processes side by side, default liveness: heartbeat 60 s), and the bytes the
 * heartbeat puts on the wire per connection per hour, counted by a tap between each process
 * and its Dovecot.
 *
 *   npm run bench -- cost-at-rest [--minutes 5] [--mailboxes 1,10,50]
 */
import { parseArgs } from 'node:util';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import {
  benchAccount,
  mailboxNames,
  pause,
  processUsage,
  startBenchDovecot,
  startTimedWatch,
} from './support/fixture.js';

/** Runs the benchmark and prints its table. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '5' },
      mailboxes: { type: 'string', default: '1,10,50' },
    },
  });
  const minutes = Number(values.minutes);
  const setups = await Promise.all(
    values.mailboxes
      .split(',')
      .map(Number)
      .map(async (count) => {
        const mailboxes = mailboxNames(count);
        const dovecot = await startBenchDovecot(count);
        let bytes = 0;
        let counting = false;
        const tap = await startFaultProxy(dovecot.port, '127.0.0.1', (chunk) => {
          if (counting) bytes += chunk.length;
        });
        const watch = startTimedWatch({ accounts: [benchAccount(dovecot, mailboxes, tap.port)] });
        await watch.allIdle(mailboxes);
        return {
          count,
          dovecot,
          tap,
          watch,
          startCounting: () => (counting = true),
          bytes: () => bytes,
        };
      }),
  );
  try {
    await pause(5_000); // let start-up garbage settle
    const started = performance.now();
    const before = setups.map((s) => processUsage(s.watch.proc.pid));
    setups.forEach((s) => s.startCounting());
    await pause(minutes * 60_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`cost at rest: ${minutes} min idle, default liveness (heartbeat 60 s)`);
    setups.forEach((s, i) => {
      const after = processUsage(s.watch.proc.pid);
      const cpu = after.cpuSeconds - (before[i]?.cpuSeconds ?? 0);
      const perConnectionHour = (s.bytes() / s.count) * (3600 / seconds);
      console.log(
        `  ${String(s.count).padStart(2)} mailbox(es): CPU ${cpu.toFixed(2)} s = ${((cpu / seconds) * 100).toFixed(3)}% of a core; ` +
          `RSS ${before[i]?.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB; ` +
          `wire ${(perConnectionHour / 1024).toFixed(1)} KiB per connection per hour`,
      );
    });
  } finally {
    for (const s of setups) {
      await s.watch.proc.stop();
      await s.tap.close();
      await s.dovecot.stop();
    }
  }
}
